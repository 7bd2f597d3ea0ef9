/* Compiled against build/layers/xlat: the layers below xlat are seen. */
#include "core/error.h"
#include "xlat/xlat.h"
