// netlab: thin main; every command lives in netlab/cli.
#include "netlab/cli/commands.h"

int main(int argc, char** argv) { return netlab::cli::run_cli(argc, argv); }
