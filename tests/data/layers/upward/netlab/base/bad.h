// An upward include: base/ must not know the command line.
#pragma once
#include "netlab/base/ok.h"
#include "netlab/cli/commands.h"
