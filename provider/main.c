/*
 * main: terraform-provider-lambda's front binary. It links libc only: it
 * answers --version and --help itself and, to serve, replaces itself with
 * the serving program (plugin.c, PROVIDER_SERVE_PROGRAM, kept beside it)
 * through the SDK's tfp_launch (tfp_serve.h, "Two-part plugins").
 */
#include "provider_options.h"
#include "tfp_serve.h"

int main(int argc, char **argv)
{
    tfp_serve_options opts;
    provider_options(&opts, argc, argv);
    return tfp_launch(&opts, PROVIDER_SERVE_PROGRAM);
}
