/*
 * libFuzzer target for lp_spec's JSON form: the attribute values of a
 * lambda_package, as `terraform show -json` (any file a user hands to
 * `lambdapack --terraform-json`) gives them. Reading must never crash or
 * leak whatever the JSON; a package read is then validated, which must
 * terminate and report each problem with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lp_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void problem(void *payload, const lp_error *e)
{
    size_t *n = payload;
    if (e->message[0] == '\0') {
        abort(); /* every problem says what is wrong */
    }
    (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lp_spec_package *p = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_spec_package_from_json(&p, (const char *)data, size, NULL, &err) == 0) {
        size_t seen = 0;
        size_t n = lp_spec_validate(p, problem, &seen);
        if (n != seen) {
            abort();
        }
        char attr[256];
        lp_spec_attribute(&err, attr, sizeof(attr));
    } else if (p != NULL || err.message[0] == '\0') {
        abort();
    }
    lp_spec_package_free(p);
    return 0;
}
