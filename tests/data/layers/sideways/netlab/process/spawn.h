// process/ on kernel/: allowed.
#pragma once
#include "netlab/kernel/netlink.h"
