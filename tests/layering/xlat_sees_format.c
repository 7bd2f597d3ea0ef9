/* Compiled against build/layers/xlat: format is not below xlat, so this
 * must not build (the test expects failure). */
#include "core/error.h"
#include "format/format.h"
