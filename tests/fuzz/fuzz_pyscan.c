/*
 * libFuzzer target for lp_pyscan (the Python import scanner) and for the
 * import walk of lp_check on top of it: the input is scanned directly, then
 * checked as the handler module app.py of a one-file package. Invariants:
 * no crash, no leak, no UB, and every reported import has a module string,
 * names and a line inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lp_check.h"
#include "lp_pyscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lp_pyscan_result *r = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_pyscan_scan(&r, data, size, &err) != 0) {
        return 0;
    }
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) {
        lines += data[i] == '\n' || data[i] == '\r';
    }
    for (size_t i = 0; i < r->n_imports; i++) {
        const lp_pyimport *im = &r->imports[i];
        if (im->module == NULL || im->line < 1 || (size_t)im->line > lines ||
            (im->is_from && im->n_names == 0)) {
            abort();
        }
        for (size_t k = 0; k < im->n_names; k++) {
            if (im->names[k] == NULL || im->names[k][0] == '\0') {
                abort();
            }
        }
    }
    lp_pyscan_free(r);

    lp_file f;
    memset(&f, 0, sizeof(f));
    f.archive_path = (char *)"app.py";
    f.content = data;
    f.size = size;
    lp_manifest m;
    memset(&m, 0, sizeof(m));
    m.files = &f;
    m.n_files = 1;
    m.unzipped_size = size;
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.runtime = "python3.12";
    o.handler = "app.handler";
    lp_check_report *rep = NULL;
    if (lp_check_run(&rep, &m, &o, &err) == 0) {
        lp_check_report_free(rep);
    }
    return 0;
}
