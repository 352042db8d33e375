/*
 * cli_verify: the verify and diff commands of lambdapack (cli_verify.c).
 */
#ifndef CLI_VERIFY_H
#define CLI_VERIFY_H

/* `lambdapack verify ZIP [--from-terraform ADDRESS | --against SOURCE...]`;
 * argv[0] is "verify". Returns the exit status. */
int cli_verify_main(int argc, char **argv);

/* `lambdapack diff A.zip B.zip`; argv[0] is "diff". Returns the exit
 * status. */
int cli_verify_diff_main(int argc, char **argv);

#endif
