/*
 * Tests for lp_dist: the one parser of RECORD and top_level.txt that both
 * the checks ("installed") and the files summary ("vendored") use.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lp_dist.h"

typedef struct seen {
    char text[1024]; /* "kind:name;" per name */
} seen;

static int record_name(void *user, const lp_dist_name *n)
{
    seen *s = user;
    size_t l = strlen(s->text);
    snprintf(s->text + l, sizeof(s->text) - l, "%c:%.*s;", "DFL"[n->kind], (int)n -> len,
             n -> name);
    return 0;
}

static void parse(seen *s, const char *text, int is_record)
{
    memset(s, 0, sizeof(*s));
    assert_int_equal(lp_dist_parse("x-1.dist-info", 13, (const unsigned char *)text, strlen(text),
                                   is_record, record_name, s),
                     0);
}

static void record_lines_name_directories_and_root_modules(void **state)
{
    (void)state;
    seen s;
    parse(&s,
          "pkg/__init__.py,sha256=a,1\nsix.py,sha256=b,2\r\n"
          "_cffi.cpython-312-x86_64-linux-gnu.so,sha256=c,3\n",
          1);
    assert_string_equal(s.text, "D:pkg;F:six;F:_cffi;");
}

static void record_quotes_parents_hidden_and_metadata_name_nothing(void **state)
{
    (void)state;
    seen s;
    parse(&s,
          "\"odd,name/a.py\",sha256=a,1\n../../bin/tool,,\n.hidden/x,,\n"
          "x-1.dist-info/RECORD,,\n\n",
          1);
    assert_string_equal(s.text, "D:odd,name;");
}

static void top_level_lines_are_listed_names(void **state)
{
    (void)state;
    seen s;
    parse(&s, "yaml\r\n_yaml\n\n", 0);
    assert_string_equal(s.text, "L:yaml;L:_yaml;");
}

static void metadata_dir_is_recognised_at_the_root_only(void **state)
{
    (void)state;
    assert_int_equal(lp_dist_metadata_dir("six-1.16.0.dist-info/RECORD"), 20);
    assert_int_equal(lp_dist_metadata_dir("PyYAML.egg-info/top_level.txt"), 15);
    assert_int_equal(lp_dist_metadata_dir("lib/six-1.16.0.dist-info/RECORD"), 0);
    assert_int_equal(lp_dist_metadata_dir("six.py"), 0);
}

static int stop_at_first(void *user, const lp_dist_name *n)
{
    (void)user;
    (void)n;
    return LP_ELIMIT;
}

static void a_callback_error_stops_the_parse(void **state)
{
    (void)state;
    const char *text = "a/x,,\nb/y,,\n";
    assert_int_equal(lp_dist_parse("d.dist-info", 11, (const unsigned char *)text, strlen(text), 1,
                                   stop_at_first, NULL),
                     LP_ELIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(record_lines_name_directories_and_root_modules),
        cmocka_unit_test(record_quotes_parents_hidden_and_metadata_name_nothing),
        cmocka_unit_test(top_level_lines_are_listed_names),
        cmocka_unit_test(metadata_dir_is_recognised_at_the_root_only),
        cmocka_unit_test(a_callback_error_stops_the_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
