# The layers check: fails when a folder of netlab/ includes a folder of a
# higher layer (docs/design.md, "Layers"). Run by ctest as `layers`:
#   cmake -DROOT=<a tree with netlab/> -P cmake/check_layers.cmake
#
# A folder may include folders of lower layers. Within one layer only the
# pairs in NETLAB_LAYER_ALLOWED may include each other (process/ runs on
# kernel/, not the reverse). A folder missing from the table fails the check
# too: a new folder takes a place in the layers before it takes code.

cmake_minimum_required(VERSION 3.25)

set(NETLAB_LAYERS
  base=1
  topology=2
  plan=3
  kernel=4 process=4 importer=4
  tunnel=5 impair=5
  lab=6
  measure=7 fault=7
  scenario=8
  report=9
  cli=10)
set(NETLAB_LAYER_ALLOWED "process>kernel")

if(NOT ROOT)
  message(FATAL_ERROR "check_layers: pass -DROOT=<source tree>")
endif()

foreach(entry ${NETLAB_LAYERS})
  string(REPLACE "=" ";" kv ${entry})
  list(GET kv 0 folder)
  list(GET kv 1 rank)
  set(rank_${folder} ${rank})
endforeach()

file(GLOB_RECURSE sources RELATIVE ${ROOT}/netlab ${ROOT}/netlab/*.h ${ROOT}/netlab/*.cpp)
set(violations "")
foreach(src ${sources})
  string(REGEX MATCH "^[^/]+" from "${src}")
  if(from STREQUAL src)
    continue()  # netlab/version.h.in and the like: no folder
  endif()
  if(NOT DEFINED rank_${from})
    list(APPEND violations "netlab/${src}: folder ${from}/ has no layer in cmake/check_layers.cmake")
    continue()
  endif()
  file(STRINGS ${ROOT}/netlab/${src} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"netlab/[a-z_]+/")
  foreach(line ${lines})
    string(REGEX REPLACE ".*\"netlab/([a-z_]+)/.*" "\\1" to "${line}")
    if(to STREQUAL from)
      continue()
    endif()
    string(REGEX REPLACE ".*\"(netlab/[^\"]+)\".*" "\\1" header "${line}")
    if(NOT DEFINED rank_${to})
      list(APPEND violations "netlab/${src} includes ${header}: folder ${to}/ has no layer")
    elseif(rank_${to} GREATER rank_${from})
      list(APPEND violations
           "netlab/${src} includes ${header}: ${from}/ (layer ${rank_${from}}) is below ${to}/ (layer ${rank_${to}})")
    elseif(rank_${to} EQUAL rank_${from} AND NOT "${from}>${to}" IN_LIST NETLAB_LAYER_ALLOWED)
      list(APPEND violations
           "netlab/${src} includes ${header}: ${from}/ and ${to}/ share layer ${rank_${from}} and may not include each other")
    endif()
  endforeach()
endforeach()

if(violations)
  list(LENGTH violations n)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layers: ${n} include(s) against the layers of docs/design.md:\n  ${text}")
endif()
list(LENGTH sources n)
message(STATUS "layers: ${n} files, every include goes down")
