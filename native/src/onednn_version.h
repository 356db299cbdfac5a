// The oneDNN API these kernels are written for: the 2.x C++ API (operation descriptors such as
// convolution_forward::desc, removed in oneDNN 3.0). Debian 12's libdnnl-dev is 2.6.3, the version
// tested. scripts/build-native.sh makes the same check before compiling and says it in one line.
#pragma once
#include "oneapi/dnnl/dnnl_version.h"

#if !defined(DNNL_VERSION_MAJOR) || DNNL_VERSION_MAJOR != 2
#error "runbook native kernels need oneDNN 2.x (the 2.x C++ API; tested with 2.6.3 = Debian 12's libdnnl-dev): the oneDNN headers found are another version"
#endif
