# Installation layout and the Debian package (CPack DEB).
#
#   /usr/bin/netlab                         the tool
#   /usr/lib/netlab/netlab-{probe,traffic,delay,tunnel-watch}
#                                           programs netlab runs beside itself
#                                           (found by netlab/base/helpers)
#   /usr/share/netlab/{frr-templates,topologies}
#                                           data (found by cli::data_dir)
#   /usr/share/man/man1/netlab.1.gz         generated: `netlab man`
#   /usr/share/bash-completion/completions/netlab
#   /usr/share/zsh/vendor-completions/_netlab
#                                           generated: `netlab completion`
#
# `cpack -G DEB` in the build tree (or `scripts/setup --package`) writes
# netlab_VERSION_ARCH.deb.
include(GNUInstallDirs)

set(NETLAB_HELPERS netlab-probe netlab-traffic netlab-delay netlab-tunnel-watch)
install(TARGETS netlab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${NETLAB_HELPERS} RUNTIME DESTINATION ${CMAKE_INSTALL_LIBDIR}/netlab)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/frr-templates ${PROJECT_SOURCE_DIR}/topologies
        DESTINATION ${CMAKE_INSTALL_DATADIR}/netlab)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The manual page and the completions, generated from the built netlab.
set(gen ${PROJECT_BINARY_DIR}/generated/share)
set(run_to_file ${PROJECT_SOURCE_DIR}/cmake/run-to-file.cmake)
add_custom_command(OUTPUT ${gen}/netlab.1.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}
  COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:netlab> -DARGS=man -DOUT=${gen}/netlab.1 -DGZIP=1
          -P ${run_to_file}
  DEPENDS netlab ${run_to_file} VERBATIM)
add_custom_command(OUTPUT ${gen}/netlab.bash
  COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}
  COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:netlab> "-DARGS=completion bash" -DOUT=${gen}/netlab.bash
          -P ${run_to_file}
  DEPENDS netlab ${run_to_file} VERBATIM)
add_custom_command(OUTPUT ${gen}/_netlab
  COMMAND ${CMAKE_COMMAND} -E make_directory ${gen}
  COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:netlab> "-DARGS=completion zsh" -DOUT=${gen}/_netlab
          -P ${run_to_file}
  DEPENDS netlab ${run_to_file} VERBATIM)
add_custom_target(netlab-docs ALL DEPENDS ${gen}/netlab.1.gz ${gen}/netlab.bash ${gen}/_netlab)
install(FILES ${gen}/netlab.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${gen}/netlab.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME netlab)
install(FILES ${gen}/_netlab DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME netlab)
set(CPACK_PACKAGE_VENDOR "netlab")
set(CPACK_PACKAGE_CONTACT "netlab developers <netlab@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "emulate an on-premises-to-AWS network, break it, and measure how fast it heals")
set(CPACK_PACKAGE_DESCRIPTION
    "netlab builds a hybrid network (Direct Connect and Site-to-Site VPN paths) of network\nnamespaces, veth links and tunnels on one Linux host, runs FRRouting on every router,\ninjects failures and measures data-plane outage and convergence to the millisecond.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What a lab runs: FRR and the kernel tools always; the tunnel programs for
# VPN paths (netlab doctor says which backend it would choose without them).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "frr, iproute2, nftables")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "wireguard-tools, wireguard-go, strongswan-swanctl, charon-systemd, libcharon-extra-plugins, libstrongswan-extra-plugins, libstrongswan-standard-plugins, iptables")
include(CPack)
