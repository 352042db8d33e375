/*
 * provider_options: what both programs of the plugin, the front binary
 * (main.c) and the serving program (plugin.c), tell the SDK about
 * themselves: name, release, registry address and usage text. libc only,
 * like the front.
 */
#ifndef PROVIDER_OPTIONS_H
#define PROVIDER_OPTIONS_H

#include "tfp_serve.h"

/* The serving program's file name (provider/CMakeLists.txt). */
#define PROVIDER_SERVE_PROGRAM "terraform-provider-lambda-serve"

/* Fills *opts for main's arguments (borrowed). */
void provider_options(tfp_serve_options *opts, int argc, char **argv);

#endif
