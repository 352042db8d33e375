/*
 * Tests for lp_pyscan: each test feeds a small Python source and checks the
 * imports and module-level names the scanner reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lp_pyscan.h"

static lp_pyscan_result *scan(const char *src)
{
    lp_pyscan_result *r = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_pyscan_scan(&r, (const unsigned char *)src, strlen(src), &err), 0);
    assert_non_null(r);
    return r;
}

/* The import of `module` (exact), or NULL. */
static const lp_pyimport *find_import(const lp_pyscan_result *r, const char *module)
{
    for (size_t i = 0; i < r->n_imports; i++) {
        if (strcmp(r->imports[i].module, module) == 0) {
            return &r->imports[i];
        }
    }
    return NULL;
}

static void plain_import_is_reported_with_line(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("\n\nimport os\nimport shared.logic.courses\n");
    assert_int_equal(r->n_imports, 2);
    const lp_pyimport *im = find_import(r, "shared.logic.courses");
    assert_non_null(im);
    assert_int_equal(im->line, 4);
    assert_int_equal(im->is_from, 0);
    assert_int_equal(im->level, 0);
    assert_int_equal(im->guarded, 0);
    assert_int_equal(im->in_function, 0);
    assert_true(lp_pyscan_defines(r, "shared"));
    assert_true(lp_pyscan_defines(r, "os"));
    lp_pyscan_free(r);
}

static void import_list_with_aliases_gives_each_module(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("import a.b as c, d, e.f\n");
    assert_int_equal(r->n_imports, 3);
    assert_non_null(find_import(r, "a.b"));
    assert_non_null(find_import(r, "d"));
    assert_non_null(find_import(r, "e.f"));
    assert_true(lp_pyscan_defines(r, "c"));
    assert_false(lp_pyscan_defines(r, "a"));
    assert_true(lp_pyscan_defines(r, "e"));
    lp_pyscan_free(r);
}

static void from_import_reports_names_before_as(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("from shared.logic.courses import get_course as gc, other\n");
    assert_int_equal(r->n_imports, 1);
    const lp_pyimport *im = &r->imports[0];
    assert_string_equal(im->module, "shared.logic.courses");
    assert_int_equal(im->is_from, 1);
    assert_int_equal(im->n_names, 2);
    assert_string_equal(im->names[0], "get_course");
    assert_string_equal(im->names[1], "other");
    assert_true(lp_pyscan_defines(r, "gc"));
    assert_true(lp_pyscan_defines(r, "other"));
    assert_false(lp_pyscan_defines(r, "get_course"));
    lp_pyscan_free(r);
}

static void parenthesized_from_import_spans_lines(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("from pkg.mod import (\n    a,  # first\n    b as bee,\n    c,\n)\n"
                               "import after\n");
    assert_int_equal(r->n_imports, 2);
    assert_int_equal(r->imports[0].n_names, 3);
    assert_string_equal(r->imports[0].names[2], "c");
    assert_int_equal(r->imports[0].line, 1);
    assert_int_equal(r->imports[1].line, 6);
    lp_pyscan_free(r);
}

static void backslash_continuation_joins_from_import(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("from shared.logic \\\n    import courses\nimport x\n");
    assert_int_equal(r->n_imports, 2);
    assert_string_equal(r->imports[0].module, "shared.logic");
    assert_string_equal(r->imports[0].names[0], "courses");
    assert_int_equal(r->imports[1].line, 3);
    lp_pyscan_free(r);
}

static void relative_imports_count_dots(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("from . import x\nfrom ..pkg import y\nfrom ... import z\n"
                               "from .... import w\n");
    assert_int_equal(r->n_imports, 4);
    assert_string_equal(r->imports[0].module, "");
    assert_int_equal(r->imports[0].level, 1);
    assert_string_equal(r->imports[1].module, "pkg");
    assert_int_equal(r->imports[1].level, 2);
    assert_int_equal(r->imports[2].level, 3);
    assert_int_equal(r->imports[3].level, 4);
    lp_pyscan_free(r);
}

static void star_import_is_reported_and_flagged(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("from helpers import *\n");
    assert_int_equal(r->n_imports, 1);
    assert_string_equal(r->imports[0].names[0], "*");
    assert_true(r->star_import);
    lp_pyscan_free(r);
}

static void future_import_is_ignored(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("from __future__ import annotations\nimport os\n");
    assert_int_equal(r->n_imports, 1);
    assert_string_equal(r->imports[0].module, "os");
    lp_pyscan_free(r);
}

static void import_inside_triple_quoted_string_is_ignored(void **state)
{
    (void)state;
    lp_pyscan_result *r =
        scan("\"\"\"Docs.\nimport fake1\n\"\"\"\nx = '''\nfrom fake2 import y\n'''\n"
             "import real\n");
    assert_int_equal(r->n_imports, 1);
    assert_string_equal(r->imports[0].module, "real");
    assert_int_equal(r->imports[0].line, 7);
    lp_pyscan_free(r);
}

static void import_inside_comment_is_ignored(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("# import fake\nx = 1  # from fake import y\nimport real\n");
    assert_int_equal(r->n_imports, 1);
    assert_string_equal(r->imports[0].module, "real");
    lp_pyscan_free(r);
}

static void string_prefixes_and_escapes_do_not_end_strings_early(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("a = r'\\'; import fake1'\n"
                               "b = b\"\\\" import fake2\"\n"
                               "c = Rb'''\nimport fake3 \\''' still'''\n"
                               "d = u'x' ; import real1\n"
                               "e = 'it\\'s'; import real2\n");
    assert_int_equal(r->n_imports, 2);
    assert_string_equal(r->imports[0].module, "real1");
    assert_int_equal(r->imports[0].line, 5);
    assert_string_equal(r->imports[1].module, "real2");
    lp_pyscan_free(r);
}

static void fstring_with_nested_quotes_is_one_string(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("x = f\"{d[\"k\"]} import fake1 {f'{y!r:>{w}}'} {{import fake2}}\"\n"
                               "y = f'''\n{\n  \"import fake3\"\n}\n'''\nimport real\n");
    assert_int_equal(r->n_imports, 1);
    assert_string_equal(r->imports[0].module, "real");
    assert_int_equal(r->imports[0].line, 7);
    lp_pyscan_free(r);
}

static void unterminated_string_ends_at_line_end(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("x = 'oops\nimport real\n");
    assert_int_equal(r->n_imports, 1);
    assert_string_equal(r->imports[0].module, "real");
    lp_pyscan_free(r);
}

static void semicolon_separates_statements(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("import a; import b; x = 1; from c import d\n");
    assert_int_equal(r->n_imports, 3);
    assert_string_equal(r->imports[2].module, "c");
    assert_true(lp_pyscan_defines(r, "x"));
    lp_pyscan_free(r);
}

static void crlf_and_bom_are_handled(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("\xef\xbb\xbfimport a\r\n\r\ndef handler(e, c):\r\n"
                               "    import b\r\nfrom c \\\r\n import d\rimport e\n");
    assert_int_equal(r->n_imports, 4);
    assert_string_equal(r->imports[0].module, "a");
    assert_int_equal(r->imports[1].line, 4);
    assert_int_equal(r->imports[1].in_function, 1);
    assert_int_equal(r->imports[2].in_function, 0);
    assert_int_equal(r->imports[3].line, 7);
    assert_true(lp_pyscan_defines(r, "handler"));
    lp_pyscan_free(r);
}

static void import_in_try_except_importerror_is_optional(void **state)
{
    (void)state;
    lp_pyscan_result *r =
        scan("try:\n    import ujson as json\nexcept ImportError:\n"
             "    import json\n"
             "try:\n    import orjson\nexcept (ValueError, ModuleNotFoundError) as e:\n"
             "    pass\n"
             "try:\n    import simplejson\nexcept:\n    pass\n"
             "try:\n    import needed\nexcept ValueError:\n    pass\n");
    assert_true(find_import(r, "ujson")->guarded);
    assert_false(find_import(r, "json")->guarded);
    assert_true(find_import(r, "orjson")->guarded);
    assert_true(find_import(r, "simplejson")->guarded);
    assert_false(find_import(r, "needed")->guarded);
    lp_pyscan_free(r);
}

static void second_except_clause_can_guard(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("try:\n    import a\n    if x:\n        import b\n"
                               "except ValueError:\n    try:\n        import c\n"
                               "    except KeyError:\n        pass\n"
                               "except Exception:\n    pass\nelse:\n    import d\n"
                               "finally:\n    import e\nimport f\n");
    assert_true(find_import(r, "a")->guarded);
    assert_true(find_import(r, "b")->guarded);
    assert_false(find_import(r, "c")->guarded);
    assert_false(find_import(r, "d")->guarded);
    assert_false(find_import(r, "e")->guarded);
    assert_false(find_import(r, "f")->guarded);
    lp_pyscan_free(r);
}

static void one_line_try_is_guarded(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("try: import fast\nexcept ImportError: fast = None\n");
    assert_true(find_import(r, "fast")->guarded);
    assert_true(lp_pyscan_defines(r, "fast"));
    lp_pyscan_free(r);
}

static void type_checking_imports_are_optional(void **state)
{
    (void)state;
    lp_pyscan_result *r =
        scan("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
             "    from mypy_boto3_s3 import S3Client\n"
             "if typing.TYPE_CHECKING:\n    import stubs\nelse:\n    import real\n"
             "if not TYPE_CHECKING:\n    import real2\n"
             "with contextlib.suppress(ImportError):\n    import maybe\n");
    assert_false(find_import(r, "typing")->guarded);
    assert_true(find_import(r, "mypy_boto3_s3")->guarded);
    assert_true(find_import(r, "stubs")->guarded);
    assert_false(find_import(r, "real")->guarded);
    assert_false(find_import(r, "real2")->guarded);
    assert_true(find_import(r, "maybe")->guarded);
    lp_pyscan_free(r);
}

static void main_block_imports_are_optional(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("if __name__ == '__main__':\n    import dotenv\n"
                               "if \"__main__\" == __name__: import local_runner\n"
                               "if __name__ == 'main':\n    import required\n"
                               "if __name__ == \"__main__\" and x:\n    import required2\n");
    assert_true(find_import(r, "dotenv")->guarded);
    assert_true(find_import(r, "local_runner")->guarded);
    assert_false(find_import(r, "required")->guarded);
    assert_false(find_import(r, "required2")->guarded);
    lp_pyscan_free(r);
}

static void imports_in_functions_are_marked(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("class A:\n    import in_class\n    def m(self):\n"
                               "        import in_method\n"
                               "async def f():\n    import in_async\n    x = 1\n"
                               "import top\n");
    assert_false(find_import(r, "in_class")->in_function);
    assert_true(find_import(r, "in_method")->in_function);
    assert_true(find_import(r, "in_async")->in_function);
    assert_false(find_import(r, "top")->in_function);
    assert_true(lp_pyscan_defines(r, "A"));
    assert_true(lp_pyscan_defines(r, "f"));
    assert_false(lp_pyscan_defines(r, "m"));
    assert_false(lp_pyscan_defines(r, "x"));
    assert_false(lp_pyscan_defines(r, "in_class"));
    lp_pyscan_free(r);
}

static void module_level_bindings_are_definitions(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("@decorator\ndef handler(event, context):\n    return 1\n"
                               "async def ahandler(e, c): pass\n"
                               "lambda_handler = make_handler(x=1)\n"
                               "typed: Handler = build()\n"
                               "a = b = 3\n"
                               "(c, [d, *e]) = f()\n"
                               "obj.attr = 1\n"
                               "items[k] = 2\n"
                               "counter += 1\n"
                               "only_annotated: int\n"
                               "if cond:\n    inner = 1\n"
                               "for loopvar in range(3):\n    pass\n"
                               "with open('x') as fh:\n    pass\n"
                               "def g():\n    global made_global\n    local = 1\n");
    const char *yes[] = {
        "handler", "ahandler", "lambda_handler", "typed",   "a",  "b", "c",
        "d",       "e",        "inner",          "loopvar", "fh", "g", "made_global"};
    const char *no[] = {"obj", "attr", "items", "k", "counter", "only_annotated", "local", "x"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!lp_pyscan_defines(r, yes[i])) {
            fail_msg("expected '%s' to be defined", yes[i]);
        }
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        if (lp_pyscan_defines(r, no[i])) {
            fail_msg("did not expect '%s' to be defined", no[i]);
        }
    }
    assert_false(r->dynamic);
    lp_pyscan_free(r);
}

static void module_getattr_and_globals_make_names_dynamic(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("def __getattr__(name):\n    return 1\n");
    assert_true(r->dynamic);
    lp_pyscan_free(r);
    r = scan("globals()['handler'] = f\n");
    assert_true(r->dynamic);
    lp_pyscan_free(r);
}

static void dunder_all_literals_count_as_definitions(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("__all__ = ['IGNORECASE', \"compile\"]\n"
                               "__all__ += ('extra',)\n__all__.extend([\"more\"])\n"
                               "other = ['not_exported']\n"
                               "def f():\n    __all__ = ['inner']\n");
    const char *yes[] = {"IGNORECASE", "compile", "extra", "more", "__all__", "other"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!lp_pyscan_defines(r, yes[i])) {
            fail_msg("expected '%s' to be defined", yes[i]);
        }
    }
    assert_false(lp_pyscan_defines(r, "not_exported"));
    assert_false(lp_pyscan_defines(r, "inner"));
    lp_pyscan_free(r);
}

static void sys_modules_use_makes_module_dynamic(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("import sys\nsys.modules['pkg.path'] = impl\n");
    assert_true(r->dynamic);
    lp_pyscan_free(r);
    r = scan("import sys\nsys.path.insert(0, 'x')\n");
    assert_false(r->dynamic);
    lp_pyscan_free(r);
}

static void match_statement_does_not_confuse_blocks(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("match = re.match('x', y)\nmatch command:\n    case [a, b]:\n"
                               "        import in_case\n    case _:\n        pass\nimport top\n");
    assert_true(lp_pyscan_defines(r, "match"));
    assert_non_null(find_import(r, "in_case"));
    assert_false(find_import(r, "top")->in_function);
    lp_pyscan_free(r);
}

static void tabs_and_dedent_close_blocks(void **state)
{
    (void)state;
    lp_pyscan_result *r = scan("def f():\n\timport inner\n\n# comment at col 0\n\timport inner2\n"
                               "import outer\n");
    assert_true(find_import(r, "inner")->in_function);
    assert_true(find_import(r, "inner2")->in_function);
    assert_false(find_import(r, "outer")->in_function);
    lp_pyscan_free(r);
}

static void malformed_input_is_not_an_error(void **state)
{
    (void)state;
    const char *inputs[] = {"",
                            "import",
                            "from",
                            "from . import",
                            "from x import (",
                            "import .bad",
                            "(((((((",
                            ")))]]]}}}",
                            "'''unterminated",
                            "f'{",
                            "f'''{'''",
                            "\\",
                            "try:\nexcept:\n",
                            "\xff\xfe\x00import x"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        lp_pyscan_result *r = scan(inputs[i]);
        lp_pyscan_free(r);
    }
}

static void deep_nesting_is_linear_and_does_not_recurse(void **state)
{
    (void)state;
    /* 2000 nested try blocks, each guarded, each with one import; then a
       line of 200000 open brackets. About 6.3 MB. */
    size_t cap = 8000000;
    char *src = malloc(cap);
    assert_non_null(src);
    size_t w = 0;
    for (size_t i = 0; i < 2000; i++) {
        for (size_t k = 0; k < i; k++) {
            src[w++] = ' ';
        }
        memcpy(src + w, "try:\n", 5);
        w += 5;
    }
    for (size_t i = 2000; i-- > 0;) {
        for (size_t k = 0; k <= i; k++) {
            src[w++] = ' ';
        }
        memcpy(src + w, "import m\n", 9);
        w += 9;
        for (size_t k = 0; k < i; k++) {
            src[w++] = ' ';
        }
        memcpy(src + w, "except ImportError: pass\n", 25);
        w += 25;
    }
    for (size_t i = 0; i < 200000; i++) {
        src[w++] = '(';
    }
    src[w] = '\0';
    assert_true(w < cap);
    lp_pyscan_result *r = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_pyscan_scan(&r, (const unsigned char *)src, w, &err), 0);
    assert_int_equal(r->n_imports, 2000);
    for (size_t i = 0; i < r->n_imports; i++) {
        assert_true(r->imports[i].guarded);
    }
    lp_pyscan_free(r);
    free(src);
}

static void oversized_input_is_refused(void **state)
{
    (void)state;
    lp_pyscan_result *r = NULL;
    lp_error err = LP_ERROR_INIT;
    static const unsigned char b[1] = {'x'};
    assert_int_equal(lp_pyscan_scan(&r, b, LP_PYSCAN_MAX_INPUT + 1, &err), LP_ELIMIT);
    assert_null(r);
    assert_int_equal(err.code, LP_ELIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_import_is_reported_with_line),
        cmocka_unit_test(import_list_with_aliases_gives_each_module),
        cmocka_unit_test(from_import_reports_names_before_as),
        cmocka_unit_test(parenthesized_from_import_spans_lines),
        cmocka_unit_test(backslash_continuation_joins_from_import),
        cmocka_unit_test(relative_imports_count_dots),
        cmocka_unit_test(star_import_is_reported_and_flagged),
        cmocka_unit_test(future_import_is_ignored),
        cmocka_unit_test(import_inside_triple_quoted_string_is_ignored),
        cmocka_unit_test(import_inside_comment_is_ignored),
        cmocka_unit_test(string_prefixes_and_escapes_do_not_end_strings_early),
        cmocka_unit_test(fstring_with_nested_quotes_is_one_string),
        cmocka_unit_test(unterminated_string_ends_at_line_end),
        cmocka_unit_test(semicolon_separates_statements),
        cmocka_unit_test(crlf_and_bom_are_handled),
        cmocka_unit_test(import_in_try_except_importerror_is_optional),
        cmocka_unit_test(second_except_clause_can_guard),
        cmocka_unit_test(one_line_try_is_guarded),
        cmocka_unit_test(type_checking_imports_are_optional),
        cmocka_unit_test(main_block_imports_are_optional),
        cmocka_unit_test(imports_in_functions_are_marked),
        cmocka_unit_test(module_level_bindings_are_definitions),
        cmocka_unit_test(module_getattr_and_globals_make_names_dynamic),
        cmocka_unit_test(dunder_all_literals_count_as_definitions),
        cmocka_unit_test(sys_modules_use_makes_module_dynamic),
        cmocka_unit_test(match_statement_does_not_confuse_blocks),
        cmocka_unit_test(tabs_and_dedent_close_blocks),
        cmocka_unit_test(malformed_input_is_not_an_error),
        cmocka_unit_test(deep_nesting_is_linear_and_does_not_recurse),
        cmocka_unit_test(oversized_input_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
