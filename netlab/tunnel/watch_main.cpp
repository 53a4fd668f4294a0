// netlab-tunnel-watch: keeps a tunnel end's interface true to the tunnel's
// liveness (netlab/tunnel/watch.h).
#include "netlab/tunnel/watch.h"

int main(int argc, char** argv) { return netlab::tunnel::watch_main(argc, argv); }
