/*
 * libFuzzer target for lp_jsscan (the JavaScript export scan). The input is
 * "name\0source" (without a NUL, the name is "handler" and the whole input
 * is the source). Invariants: no crash, no UB, no read outside the source
 * (it is copied to an exact-size buffer, so ASan sees any overrun), the
 * answer is 0 or 1 and the same when asked twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lp_jsscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char name[65] = "handler";
    const uint8_t *nul = memchr(data, '\0', size < sizeof(name) ? size : sizeof(name));
    if (nul != NULL) {
        memcpy(name, data, (size_t)(nul - data));
        name[nul - data] = '\0';
        size -= (size_t)(nul - data) + 1;
        data = nul + 1;
    }
    unsigned char *src = malloc(size > 0 ? size : 1);
    if (src == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(src, data, size);
    }
    int a = lp_jsscan_exports(src, size, name);
    int b = lp_jsscan_exports(src, size, name);
    free(src);
    if ((a != 0 && a != 1) || a != b) {
        abort();
    }
    return 0;
}
