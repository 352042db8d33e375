/*
 * Tests for lp_check's Python checks (lp_check_py.c, lp_check_py_handler.c):
 * handler resolution, the import walk (the shared.logic incident, relative
 * imports, submodules, unknown and optional imports, installed
 * distributions), many vendored files, and the incident through the real
 * lp_manifest_build.
 *
 * Most tests build manifests by hand from inline contents (tu_hm_*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lp_check.h"
#include "lp_manifest.h"
#include "testutil_check.h"

static lp_check_report *run_py(const lp_manifest *m, const char *handler)
{
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.runtime = "python3.12";
    o.handler = handler;
    return tu_check_run(m, &o);
}

/* ---- Python handler ---- */

static void python_handler_in_module_resolves(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "import json\n\ndef handler(event, context):\n    return 1\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_py(m, "app.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void python_handler_with_slash_path_resolves_through_packages(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"src/__init__.py", ""},
        {"src/handlers/app.py", "async def main(event, context):\n    return 1\n"},
    };
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "src/handlers/app.main");
    tu_check_clean(r);
    lp_check_report_free(r);
    r = run_py(m, "src.handlers.app.main");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void python_handler_in_package_init_resolves(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"pkg/__init__.py", "from .impl import handler\n"},
                          {"pkg/impl.py", "def handler(e, c):\n    pass\n"}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "pkg.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void wrong_handler_module_is_error_naming_the_paths(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"src/app.py", "def handler(e, c):\n    pass\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_py(m, "app.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->field, "handler");
    assert_string_equal(f->summary, "Handler module not found in package");
    assert_non_null(strstr(f->detail, "handler 'app.handler'"));
    assert_non_null(strstr(f->detail, "app.py or app/__init__.py"));
    assert_non_null(strstr(f->detail, "No module named 'app'"));
    assert_non_null(strstr(f->detail, "The package has it under a folder, at src/app.py"));
    assert_non_null(strstr(f->detail, "remove \"src\" from that source's prefix"));
    assert_non_null(strstr(f->detail, "handler = \"src/app.handler\""));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void handler_at_root_without_prefix_names_the_prefix(void **state)
{
    (void)state;
    /* the forgotten prefix: the function's folder was packaged at the root */
    tu_hm_file files[] = {{"handler.py", "def lambda_handler(e, c):\n    pass\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_py(m, "course_request_handler.handler.lambda_handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(f->detail, "The package has handler.py"));
    assert_non_null(strstr(f->detail, "needs at course_request_handler/handler.py"));
    assert_non_null(strstr(f->detail, "prefix = \"course_request_handler\""));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void handler_elsewhere_names_the_handler_that_loads_it(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"functions/orders/handler.py", "def main(e, c):\n    pass\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_py(m, "billing.handler.main");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(f->detail, "handler = \"functions/orders/handler.main\""));
    assert_non_null(strstr(f->detail, "lands at billing/handler.py"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void missing_parent_package_of_handler_is_named(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"other/x.py", ""}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_py(m, "api/v1/app.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(f->detail, "api/v1/app.py or api/v1/app/__init__.py"));
    assert_non_null(strstr(f->detail, "no api.py or api/"));
    assert_non_null(strstr(f->detail, "No module named 'api'"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void handler_module_from_a_layer_is_not_flagged(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"other.py", ""}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.runtime = "python3.12";
    o.handler = "layerpkg.entry.handler";
    const char *ext[] = {"layerpkg"};
    o.external_modules = ext;
    o.n_external_modules = 1;
    lp_check_report *r = tu_check_run(m, &o);
    tu_check_clean(r);
    lp_check_report_free(r);
    o.n_external_modules = 0;
    r = tu_check_run(m, &o);
    tu_check_one(r, LP_CHECK_ERROR);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void missing_handler_function_is_error_naming_the_file(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "def handle(event, context):\n    pass\n"
                                     "class Handler:\n    def handler(self):\n        pass\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_py(m, "app.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->field, "handler");
    assert_string_equal(f->archive_path, "app.py");
    assert_string_equal(f->summary, "Handler function not found in module");
    assert_non_null(strstr(f->detail, "app.py does not define 'handler'"));
    assert_non_null(strstr(f->detail, "Runtime.HandlerNotFound"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void handler_bound_by_assignment_or_import_counts(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"a.py", "handler = make()\n"},
                          {"b.py", "from a import handler\n"},
                          {"c.py", "import a as handler\n"},
                          {"d.py", "from a import *\n"}};
    lp_manifest *m = tu_hm_make(files, 4);
    const char *ok[] = {"a.handler", "b.handler", "c.handler"};
    for (size_t i = 0; i < 3; i++) {
        lp_check_report *r = run_py(m, ok[i]);
        tu_check_clean(r);
        lp_check_report_free(r);
    }
    lp_check_report *r = run_py(m, "d.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_WARNING);
    assert_string_equal(f->summary, "Handler function not confirmed");
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void malformed_python_handler_is_error(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "def handler(e, c): pass\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    const char *bad[] = {"app", ".handler", "app.", "a//b.handler"};
    for (size_t i = 0; i < 4; i++) {
        lp_check_report *r = run_py(m, bad[i]);
        const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
        assert_string_equal(f->summary, "Malformed handler");
        lp_check_report_free(r);
    }
    tu_hm_free(m);
}

/* ---- the incident and the import walk ---- */

static const char *incident_handler = "import json\n"
                                      "import boto3\n"
                                      "from shared.logic.courses import get_course\n"
                                      "from shared.utils import respond\n"
                                      "\n"
                                      "def lambda_handler(event, context):\n"
                                      "    return respond(get_course(event['id']))\n";

static void incident_missing_subpackage_is_error_naming_file_and_line(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"course_request_handler/__init__.py", ""},
        {"course_request_handler/handler.py", incident_handler},
        {"shared/__init__.py", ""},
        {"shared/utils.py", "import json\n\ndef respond(x):\n    return json.dumps(x)\n"},
    };
    lp_manifest *m = tu_hm_make(files, 4);
    lp_check_report *r = run_py(m, "course_request_handler/handler.lambda_handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->summary, "Import cannot be resolved in the package");
    assert_string_equal(f->field, "source");
    assert_string_equal(f->archive_path, "course_request_handler/handler.py");
    assert_int_equal(f->line, 3);
    assert_string_equal(
        f->detail,
        "course_request_handler/handler.py:3: `from shared.logic.courses import get_course` "
        "needs shared/logic/courses.py or shared/logic/courses/__init__.py; the package has "
        "shared/ but no shared/logic/. Lambda would fail with Runtime.ImportModuleError: No "
        "module named 'shared.logic'.");
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void incident_fixed_package_has_no_findings(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"course_request_handler/__init__.py", ""},
        {"course_request_handler/handler.py", incident_handler},
        {"shared/__init__.py", ""},
        {"shared/logic/__init__.py", ""},
        {"shared/logic/courses.py", "def get_course(i):\n    return i\n"},
        {"shared/utils.py", "import json\n\ndef respond(x):\n    return json.dumps(x)\n"},
    };
    lp_manifest *m = tu_hm_make(files, 6);
    lp_check_report *r = run_py(m, "course_request_handler/handler.lambda_handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void missing_name_in_found_module_is_error(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "from shared.logic.courses import get_course\ndef handler(e, c): pass\n"},
        {"shared/logic/courses.py", "def list_courses():\n    return []\n"},
    };
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(f->detail, "cannot import name 'get_course' from "
                                      "'shared.logic.courses'"));
    assert_int_equal(f->line, 1);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void from_package_import_submodule_or_name_resolves(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "from shared.logic import courses\nfrom shared.logic import VERSION\n"
                   "from shared import logic\ndef handler(e, c): pass\n"},
        {"shared/logic/__init__.py", "VERSION = 1\n"},
        {"shared/logic/courses.py", "import missing_dep\n"},
    };
    lp_manifest *m = tu_hm_make(files, 3);
    lp_check_report *r = run_py(m, "app.handler");
    /* the submodule was followed: its unknown import is reported */
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->archive_path, "shared/logic/courses.py");
    assert_non_null(strstr(f->detail, "'missing_dep'"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void from_package_import_missing_submodule_is_error(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "\n\nfrom shared.logic import courses\ndef handler(e, c): pass\n"},
        {"shared/logic/__init__.py", "VERSION = 1\n"},
    };
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_int_equal(f->line, 3);
    assert_non_null(strstr(f->detail, "needs shared/logic/courses.py or "
                                      "shared/logic/courses/__init__.py, or a name 'courses' "
                                      "defined in shared/logic/__init__.py"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void relative_imports_resolve_through_the_package(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"svc/__init__.py", ""},
        {"svc/api/__init__.py", "from .routes import route\n"},
        {"svc/api/handler.py",
         "from . import routes\nfrom .routes import route\nfrom ..core import db\n"
         "from ..core.db import connect\nfrom .. import core\ndef handler(e, c): pass\n"},
        {"svc/api/routes.py", "from ..core import db\nroute = 1\n"},
        {"svc/core/__init__.py", ""},
        {"svc/core/db.py", "def connect(): pass\n"},
    };
    lp_manifest *m = tu_hm_make(files, 6);
    lp_check_report *r = run_py(m, "svc/api/handler.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void broken_relative_imports_are_errors(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"svc/__init__.py", ""},
        {"svc/handler.py", "from .missing import x\nfrom ... import y\ndef handler(e, c): pass\n"},
        {"top.py", "from . import z\ndef handler(e, c): pass\n"},
    };
    lp_manifest *m = tu_hm_make(files, 3);
    lp_check_report *r = run_py(m, "svc/handler.handler");
    if (r->n != 2) {
        tu_check_dump(r);
    }
    assert_int_equal(r->n, 2);
    const lp_check_finding *f = tu_check_detail(r, "No module named 'svc.missing'");
    assert_non_null(f);
    assert_int_equal(f->line, 1);
    f = tu_check_detail(r, "beyond top-level package");
    assert_non_null(f);
    assert_int_equal(f->line, 2);
    lp_check_report_free(r);
    r = run_py(m, "top.handler");
    const lp_check_finding *g = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(g->detail, "no known parent package"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void module_used_as_package_is_error(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "import helpers.extra\ndef handler(e, c): pass\n"},
                          {"helpers.py", "X = 1\n"}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(f->detail, "'helpers' is not a package"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void module_attributes_and_dynamic_modules_are_not_flagged(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "from helpers import __doc__, __file__\nimport __main__\n"
                   "import compat.moves\nfrom flags import IGNORECASE\ndef handler(e, c): pass\n"},
        {"compat.py", "import sys\nsys.modules[__name__ + '.moves'] = object()\n"},
        {"flags.py", "__all__ = ['IGNORECASE']\n@global_enum\nclass Flag: pass\n"},
        {"helpers.py", "X = 1\n"},
    };
    lp_manifest *m = tu_hm_make(files, 4);
    lp_check_report *r = run_py(m, "app.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void imports_are_followed_transitively_once(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "import a\nimport b\ndef handler(e, c): pass\n"},
        {"a.py", "import b\nimport lib.deep\n"},
        {"b.py", "import a\n"},
        {"lib/__init__.py", "import lib.missing\n"},
        {"lib/deep.py", "\nfrom lib.gone import x\n"},
    };
    lp_manifest *m = tu_hm_make(files, 5);
    lp_check_report *r = run_py(m, "app.handler");
    if (r->n != 2) {
        tu_check_dump(r);
    }
    assert_int_equal(r->n, 2);
    const lp_check_finding *f = tu_check_detail(r, "No module named 'lib.missing'");
    assert_non_null(f);
    assert_string_equal(f->archive_path, "lib/__init__.py");
    f = tu_check_detail(r, "No module named 'lib.gone'");
    assert_non_null(f);
    assert_string_equal(f->archive_path, "lib/deep.py");
    assert_int_equal(f->line, 2);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void unreachable_modules_are_not_scanned(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "def handler(e, c): pass\n"},
                          {"unused.py", "import shared.nothing\nimport not_installed\n"}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void
unknown_third_party_import_is_error_listing_fixes_or_warning_when_not_strict(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "import requests\nimport requests.adapters\ndef handler(e, c): pass\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_py(m, "app.handler"); /* strict_imports defaults to true */
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR); /* one per top-level name */
    assert_string_equal(f->summary, "Import not found in the package or the runtime");
    assert_int_equal(f->line, 1);
    assert_non_null(strstr(f->detail, "No module named 'requests'"));
    assert_non_null(strstr(f->detail, "add a source block"));
    assert_non_null(strstr(f->detail, "external_modules"));
    assert_non_null(strstr(f->detail, "dependencies"));
    assert_null(strstr(f->detail, "requirements.txt"));
    lp_check_report_free(r);

    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.runtime = "python3.12";
    o.handler = "app.handler";
    o.strict_imports = 0;
    r = tu_check_run(m, &o);
    tu_check_one(r, LP_CHECK_WARNING);
    lp_check_report_free(r);

    const char *ext[] = {"requests"};
    o.strict_imports = 1;
    o.external_modules = ext;
    o.n_external_modules = 1;
    r = tu_check_run(m, &o);
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void unknown_import_named_by_requirements_txt_says_so(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "import yaml\nimport requests\ndef handler(e, c): pass\n"},
        {"requirements.txt",
         "# pinned\nPyYAML==6.0\nRequests[socks] >= 2.31 ; python_version>'3'\n"},
    };
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    const lp_check_finding *req = tu_check_detail(r, "'requests' is not in the package");
    const lp_check_finding *yaml = tu_check_detail(r, "'yaml' is not in the package");
    assert_non_null(req);
    assert_non_null(yaml);
    assert_non_null(strstr(req->detail, "requirements.txt names 'requests'"));
    /* the distribution PyYAML provides `yaml`: names differ, nothing is claimed */
    assert_null(strstr(yaml->detail, "requirements.txt"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void external_module_also_in_package_is_warning(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "import yaml\ndef handler(e, c): pass\n"},
                          {"yaml/__init__.py", ""}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.runtime = "python3.13";
    o.handler = "app.handler";
    const char *ext[] = {"numpy", "yaml"};
    o.external_modules = ext;
    o.n_external_modules = 2;
    lp_check_report *r = tu_check_run(m, &o);
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_WARNING);
    assert_string_equal(f->field, "external_modules");
    assert_int_equal(f->index, 1);
    assert_non_null(strstr(f->detail, "yaml/__init__.py"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void stdlib_and_runtime_modules_depend_on_the_version(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "import os, json, tomllib, boto3, botocore.exceptions\n"
                                     "from dateutil import parser\nimport distutils.util\n"
                                     "def handler(e, c): pass\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.handler = "app.handler";
    o.runtime = "python3.11";
    lp_check_report *r = tu_check_run(m, &o);
    tu_check_clean(r);
    lp_check_report_free(r);
    o.runtime = "python3.12"; /* distutils removed */
    r = tu_check_run(m, &o);
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(f->detail, "'distutils'"));
    lp_check_report_free(r);
    o.runtime = "python3.10"; /* no tomllib yet */
    r = tu_check_run(m, &o);
    f = tu_check_one(r, LP_CHECK_ERROR);
    assert_non_null(strstr(f->detail, "'tomllib'"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void guarded_optional_import_has_no_finding(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "try:\n    import ujson as json\nexcept ImportError:\n"
                                     "    import json\n"
                                     "try:\n    from shared.fast import speedup\n"
                                     "except ModuleNotFoundError:\n    speedup = None\n"
                                     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                     "    from mypy_boto3_s3 import S3Client\n"
                                     "def handler(e, c): pass\n"},
                          {"shared/__init__.py", ""}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void local_run_block_imports_are_not_required(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py",
                           "def handler(e, c): pass\n\nif __name__ == '__main__':\n"
                           "    import dotenv\n    from shared.local import tu_check_run\n"},
                          {"shared/__init__.py", ""}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void missing_import_inside_function_is_warning(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "def handler(e, c):\n    from shared.logic import x\n"
                                     "    return x\n"},
                          {"shared/__init__.py", ""}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_report *r = run_py(m, "app.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_WARNING);
    assert_int_equal(f->line, 2);
    assert_non_null(strstr(f->detail, "inside a function"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void namespace_package_and_extension_modules_resolve(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "import nspkg.mod\nimport fastext\nfrom nspkg import other\n"
                   "def handler(e, c): pass\n"},
        {"fastext.cpython-312-x86_64-linux-gnu.so", "ELF"},
        {"nspkg/mod.py", ""},
        {"nspkg/other/__init__.py", ""},
    };
    lp_manifest *m = tu_hm_make(files, 4);
    lp_check_report *r = run_py(m, "app.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void installed_distributions_are_present_but_not_scanned(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"app.py", "import requests\nimport six\nfrom requests.sub import x\n"
                   "def handler(e, c): pass\n"},
        {"requests/__init__.py", "import not_a_real_module\nfrom .gone import y\n"},
        {"requests-2.31.0.dist-info/RECORD",
         "requests/__init__.py,sha256=x,10\nrequests-2.31.0.dist-info/RECORD,,\n"},
        {"six-1.16.0.dist-info/RECORD", "six.py,sha256=y,20\r\n"},
        {"six.py", "from six.moves import urllib\n"},
    };
    lp_manifest *m = tu_hm_make(files, 5);
    lp_check_report *r = run_py(m, "app.handler");
    tu_check_clean(r);
    lp_check_report_free(r);
    tu_hm_free(m);
}

/* ---- many files ---- */

static void thousands_of_vendored_files_scan_only_what_is_imported(void **state)
{
    (void)state;
    size_t n = 20000;
    tu_hm_file *files = calloc(n + 2, sizeof(*files));
    char **paths = calloc(n, sizeof(*paths));
    assert_non_null(files);
    assert_non_null(paths);
    for (size_t i = 0; i < n; i++) {
        assert_true(asprintf(&paths[i], "vendor%zu/mod%zu.py", i % 200, i) > 0);
        files[i].path = paths[i];
        files[i].content = "import nothing_here_either\n";
    }
    files[n].path = "app.py";
    files[n].content = "import vendor7.mod7\ndef handler(e, c): pass\n";
    lp_manifest *m = tu_hm_make(files, n + 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lp_check_report *r = run_py(m, "app.handler");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    /* Timing is printed for the curious, never asserted (tests prove behaviour). */
    print_message("checked %zu files in %.2f ms\n", n + 1, ms);
    /* only app.py and vendor7/mod7.py were scanned: one finding, from the latter */
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->archive_path, "vendor7/mod7.py");
    lp_check_report_free(r);
    tu_hm_free(m);
    for (size_t i = 0; i < n; i++) {
        free(paths[i]);
    }
    free(paths);
    free(files);
}

/* ---- through the real manifest builder ---- */

static void incident_is_found_through_lp_manifest_build(void **state)
{
    (void)state;
    lp_source src[] = {
        {.filename = "course_request_handler/handler.py",
         .content = incident_handler,
         .content_len = strlen(incident_handler)},
        {.filename = "shared/__init__.py", .content = "", .content_len = 0},
        {.filename = "shared/utils.py",
         .content = "def respond(x):\n    return x\n",
         .content_len = strlen("def respond(x):\n    return x\n")},
    };
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = src;
    spec.n_sources = 3;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_build(&m, &spec, &err) != 0) {
        fail_msg("lp_manifest_build: %s", err.message);
    }
    lp_check_report *r = run_py(m, "course_request_handler/handler.lambda_handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_int_equal(f->line, 3);
    assert_non_null(strstr(f->detail, "No module named 'shared.logic'"));
    lp_check_report_free(r);
    lp_manifest_free(m);
}

static void data_dir_package_is_read_from_disk(void **state)
{
    (void)state;
    lp_source src[] = {{.path = LP_TEST_DATA_DIR "/check/incident"}};
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = src;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_build(&m, &spec, &err) != 0) {
        fail_msg("lp_manifest_build: %s", err.message);
    }
    lp_check_report *r = run_py(m, "course_request_handler/handler.lambda_handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->archive_path, "course_request_handler/handler.py");
    assert_int_equal(f->line, 4);
    assert_non_null(strstr(f->detail, "No module named 'shared.logic'"));
    lp_check_report_free(r);
    lp_manifest_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(python_handler_in_module_resolves),
        cmocka_unit_test(python_handler_with_slash_path_resolves_through_packages),
        cmocka_unit_test(python_handler_in_package_init_resolves),
        cmocka_unit_test(wrong_handler_module_is_error_naming_the_paths),
        cmocka_unit_test(handler_at_root_without_prefix_names_the_prefix),
        cmocka_unit_test(handler_elsewhere_names_the_handler_that_loads_it),
        cmocka_unit_test(missing_parent_package_of_handler_is_named),
        cmocka_unit_test(handler_module_from_a_layer_is_not_flagged),
        cmocka_unit_test(missing_handler_function_is_error_naming_the_file),
        cmocka_unit_test(handler_bound_by_assignment_or_import_counts),
        cmocka_unit_test(malformed_python_handler_is_error),
        cmocka_unit_test(incident_missing_subpackage_is_error_naming_file_and_line),
        cmocka_unit_test(incident_fixed_package_has_no_findings),
        cmocka_unit_test(missing_name_in_found_module_is_error),
        cmocka_unit_test(from_package_import_submodule_or_name_resolves),
        cmocka_unit_test(from_package_import_missing_submodule_is_error),
        cmocka_unit_test(relative_imports_resolve_through_the_package),
        cmocka_unit_test(broken_relative_imports_are_errors),
        cmocka_unit_test(module_used_as_package_is_error),
        cmocka_unit_test(module_attributes_and_dynamic_modules_are_not_flagged),
        cmocka_unit_test(imports_are_followed_transitively_once),
        cmocka_unit_test(unreachable_modules_are_not_scanned),
        cmocka_unit_test(
            unknown_third_party_import_is_error_listing_fixes_or_warning_when_not_strict),
        cmocka_unit_test(unknown_import_named_by_requirements_txt_says_so),
        cmocka_unit_test(external_module_also_in_package_is_warning),
        cmocka_unit_test(stdlib_and_runtime_modules_depend_on_the_version),
        cmocka_unit_test(guarded_optional_import_has_no_finding),
        cmocka_unit_test(local_run_block_imports_are_not_required),
        cmocka_unit_test(missing_import_inside_function_is_warning),
        cmocka_unit_test(namespace_package_and_extension_modules_resolve),
        cmocka_unit_test(installed_distributions_are_present_but_not_scanned),
        cmocka_unit_test(thousands_of_vendored_files_scan_only_what_is_imported),
        cmocka_unit_test(incident_is_found_through_lp_manifest_build),
        cmocka_unit_test(data_dir_package_is_read_from_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
