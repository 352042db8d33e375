/*
 * resources: the resource types this provider registers (main.c lists them).
 *
 * Each resource file resource_<name>.c defines one accessor returning its
 * static type, and is its own library target (provider/CMakeLists.txt).
 */
#ifndef TFP_RESOURCES_H
#define TFP_RESOURCES_H

#include "tfp_resource.h"

/* lambda_package (resource_package.c). Static storage; never NULL. */
const tfp_resource_type *resource_package_type(void);

#endif
