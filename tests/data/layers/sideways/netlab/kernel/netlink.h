// Within one layer, kernel/ may not include process/ (process/ runs on kernel/).
#pragma once
#include "netlab/process/spawn.h"
