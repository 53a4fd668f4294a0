// A downward include: allowed.
#pragma once
#include "netlab/base/ok.h"
