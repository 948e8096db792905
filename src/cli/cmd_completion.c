/* unbrick completion bash: a bash completion script made from the same
 * tables that drive parsing and --help (commands, their options, the
 * values an option takes) and from the families' tables (transports,
 * spec parameters), so it cannot drift from what unbrick accepts. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "family/family.h"

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_completion = {
	"completion", "print the shell completion script (bash)",
	"bash",
	"Print a bash completion script for unbrick on stdout: commands, each\n"
	"command's options, the words an option takes, device specs (families,\n"
	"transports, parameters), profile names and case ids.  Installed as\n"
	"share/bash-completion/completions/unbrick; to try it now:\n"
	"  source <(unbrick completion bash)",
	NULL,
	"Exit status: 0 printed, 2 usage error (a shell it does not know).",
	0, run, NULL,
};

/* How an option's value is completed, from its name in the table. */
static const char *value_kind(const char *arg)
{
	if (!arg)
		return NULL;
	if (strcmp(arg, "SPEC") == 0)
		return "spec";
	if (strcmp(arg, "P") == 0 || strcmp(arg, "NAME|FILE") == 0)
		return "profile";
	if (strchr(arg, '|'))
		return "words";
	if (strcmp(arg, "DIR") == 0)
		return "dir";
	if (strcmp(arg, "FILE") == 0 || strcmp(arg, "PATH") == 0)
		return "file";
	if (strcmp(arg, "ID") == 0 || strcmp(arg, "CASE") == 0)
		return "case";
	return "none";
}

static void emit_value(FILE *f, const char *cmd, int key, const char *name, const char *arg)
{
	const char *kind = value_kind(arg);

	if (!kind)
		return;
	if (key > 0 && key < 128)
		fprintf(f, "\t\"%s|-%c\"|", cmd, key);
	else
		fputc('\t', f);
	fprintf(f, "\"%s|--%s\") ", cmd, name);
	if (strcmp(kind, "words") == 0) {
		char words[256];
		size_t i;

		snprintf(words, sizeof words, "%s", arg);
		for (i = 0; words[i]; i++)
			if (words[i] == '|')
				words[i] = ' ';
		fprintf(f, "echo 'words %s';;\n", words);
	} else {
		fprintf(f, "echo %s;;\n", kind);
	}
}

static void emit_command(FILE *f, FILE *values, const struct cli_cmd *c)
{
	const struct cli_opt *o;
	struct cli_famopt *fo;
	size_t i, n;

	fprintf(f, "\t\"%s\") echo '", c->name);
	for (o = c->opts; o && (o->name || o->help); o++) {
		if (!o->name)
			continue;
		fprintf(f, "--%s ", o->name);
		if (o->key > 0 && o->key < 128)
			fprintf(f, "-%c ", o->key);
		emit_value(values, c->name, o->key, o->name, o->arg);
	}
	n = cli_famopts(&fo);
	for (i = 0; i < n; i++) {
		if (!cli_famopt_for(c, fo[i].def))
			continue;
		fprintf(f, "--%s ", fo[i].option);
		emit_value(values, c->name, 0, fo[i].option, cli_param_arg(fo[i].def));
	}
	fprintf(f, "--json %s--help -h';;\n", c->flags & CLI_PROGRESS ? "--json-progress " : "");
}

/* The families' transports ("uboot:serial:"), which of them take a path
 * as address, and each family's parameters with their words. */
static void emit_specs(FILE *f)
{
	size_t i, k;

	fputs("_unbrick_transports='", f);
	for (i = 0; ub_families[i]; i++)
		for (k = 0; ub_families[i]->transports && ub_families[i]->transports[k].name; k++)
			fprintf(f, "%s:%s: ", ub_families[i]->name, ub_families[i]->transports[k].name);
	fputs("'\n_unbrick_path_transports='", f);
	for (i = 0; ub_families[i]; i++)
		for (k = 0; ub_families[i]->transports && ub_families[i]->transports[k].name; k++)
			if (ub_families[i]->transports[k].address[0] == '/')
				fprintf(f, "%s:%s: ", ub_families[i]->name, ub_families[i]->transports[k].name);
	fputs("'\n_unbrick_params() {\n\tcase \"$1\" in\n", f);
	for (i = 0; ub_families[i]; i++) {
		const struct ub_param_def *p = ub_families[i]->params;

		fprintf(f, "\t%s) echo '", ub_families[i]->name);
		for (k = 0; p && p[k].name; k++)
			fprintf(f, "%s= ", p[k].name);
		fputs("';;\n", f);
	}
	fputs("\tesac\n}\n_unbrick_param_words() {\n\tcase \"$1\" in\n", f);
	for (i = 0; ub_families[i]; i++) {
		const struct ub_param_def *p = ub_families[i]->params;

		for (k = 0; p && p[k].name; k++) {
			char words[256];
			size_t j;

			if (!strchr(p[k].type, '|'))
				continue;
			snprintf(words, sizeof words, "%s", p[k].type);
			for (j = 0; words[j]; j++)
				if (words[j] == '|')
					words[j] = ' ';
			fprintf(f, "\t%s:%s) echo '%s';;\n", ub_families[i]->name, p[k].name, words);
		}
	}
	fputs("\tesac\n}\n", f);
}

static const char body[] =
	"# The completions for CUR, a device spec being typed.\n"
	"_unbrick_spec() {\n"
	"\tlocal cur=$1 fam rest tr addr last key\n"
	"\tif [[ $cur != *:*:* ]]; then\n"
	"\t\tcompgen -W \"$_unbrick_transports\" -- \"$cur\"\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tfam=${cur%%:*}; rest=${cur#*:}; tr=${rest%%:*}; addr=${rest#*:}\n"
	"\tif [[ $addr != *,* ]]; then\n"
	"\t\tif [[ \" $_unbrick_path_transports \" == *\" $fam:$tr: \"* ]]; then\n"
	"\t\t\tcompgen -f -- \"$addr\" | sed \"s|^|$fam:$tr:|\"\n"
	"\t\tfi\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tlast=${addr##*,}\n"
	"\tif [[ $last == *=* ]]; then\n"
	"\t\tkey=${last%%=*}\n"
	"\t\tcompgen -W \"$(_unbrick_param_words \"$fam:$key\")\" -- \"${last#*=}\" |\n"
	"\t\t\tsed \"s|^|${cur%,*},$key=|\"\n"
	"\telse\n"
	"\t\tcompgen -W \"$(_unbrick_params \"$fam\")\" -- \"$last\" | sed \"s|^|${cur%,*},|\"\n"
	"\tfi\n"
	"}\n"
	"\n"
	"_unbrick() {\n"
	"\tlocal line cur prev cmd kind bcur w\n"
	"\tlocal -a words\n"
	"\t# whole words as typed: bash splits its own at ':' and '='\n"
	"\tif [[ -n ${COMP_LINE-} ]]; then\n"
	"\t\tline=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}\n"
	"\t\tread -ra words <<<\"$line\"\n"
	"\t\t[[ -z $line || $line == *[[:space:]] ]] && words+=(\"\")\n"
	"\telse\n"
	"\t\twords=(\"${COMP_WORDS[@]:0:COMP_CWORD+1}\")\n"
	"\tfi\n"
	"\tbcur=${COMP_WORDS[COMP_CWORD]-}\n"
	"\tcur=${words[${#words[@]}-1]}\n"
	"\tprev=\n"
	"\t(( ${#words[@]} > 1 )) && prev=${words[${#words[@]}-2]}\n"
	"\tCOMPREPLY=()\n"
	"\tif (( ${#words[@]} <= 2 )); then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$_unbrick_commands\" -- \"$cur\"))\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tcmd=${words[1]}\n"
	"\tif [[ -n $(_unbrick_subs \"$cmd\") ]]; then\n"
	"\t\tif (( ${#words[@]} == 3 )); then\n"
	"\t\t\tCOMPREPLY=($(compgen -W \"$(_unbrick_subs \"$cmd\")\" -- \"$cur\"))\n"
	"\t\t\treturn 0\n"
	"\t\tfi\n"
	"\t\tcmd=\"$cmd ${words[2]}\"\n"
	"\tfi\n"
	"\tkind=$(_unbrick_value \"$cmd|$prev\")\n"
	"\tcase $kind in\n"
	"\twords\\ *) COMPREPLY=($(compgen -W \"${kind#words }\" -- \"$cur\"));;\n"
	"\tspec) COMPREPLY=($(_unbrick_spec \"$cur\"))\n"
	"\t\tcompopt -o nospace 2>/dev/null;;\n"
	"\tprofile) COMPREPLY=($(compgen -W \"$(_unbrick_profiles)\" -- \"$cur\") $(compgen -f -- \"$cur\"));;\n"
	"\tdir) COMPREPLY=($(compgen -d -- \"$cur\"));;\n"
	"\tfile) COMPREPLY=($(compgen -f -- \"$cur\"));;\n"
	"\tcase) COMPREPLY=($(compgen -W \"$(unbrick cases 2>/dev/null | awk 'NR > 1 { print $1 }')\" -- \"$cur\"));;\n"
	"\tnone) ;;\n"
	"\t*)\n"
	"\t\tif [[ $cur == -* ]]; then\n"
	"\t\t\tCOMPREPLY=($(compgen -W \"$(_unbrick_options \"$cmd\")\" -- \"$cur\"))\n"
	"\t\telse\n"
	"\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	"\t\tfi;;\n"
	"\tesac\n"
	"\t# bash replaces only its own last word (after a ':' or '=')\n"
	"\tif [[ $cur != \"$bcur\" && $cur == *\"$bcur\" ]]; then\n"
	"\t\tw=${cur%\"$bcur\"}\n"
	"\t\tCOMPREPLY=(\"${COMPREPLY[@]#\"$w\"}\")\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"complete -F _unbrick unbrick\n";

static void script(FILE *f)
{
	const struct cli_cmd *const *c, *const *s;
	char *vals = NULL;
	size_t vlen = 0;
	FILE *v = open_memstream(&vals, &vlen);

	fputs("# bash completion for unbrick, made by 'unbrick completion bash' from its\n"
	      "# command tables and its device families' tables.\n", f);
	fputs("_unbrick_commands='", f);
	for (c = cli_commands; *c; c++)
		fprintf(f, "%s ", (*c)->name);
	fputs("help'\n_unbrick_subs() {\n\tcase \"$1\" in\n", f);
	for (c = cli_commands; *c; c++) {
		if (!(*c)->subs)
			continue;
		fprintf(f, "\t%s) echo '", (*c)->name);
		for (s = (*c)->subs; *s; s++)
			fprintf(f, "%s ", (*s)->name + strlen((*c)->name) + 1);
		fputs("';;\n", f);
	}
	fputs("\tesac\n}\n_unbrick_options() {\n\tcase \"$1\" in\n", f);
	for (c = cli_commands; *c; c++) {
		if (v)
			emit_command(f, v, *c);
		for (s = (*c)->subs; v && s && *s; s++)
			emit_command(f, v, *s);
	}
	fputs("\tesac\n}\n", f);
	if (v)
		fclose(v);
	fprintf(f, "_unbrick_value() {\n\tcase \"$1\" in\n%s\tesac\n}\n", vals ? vals : "");
	free(vals);
	emit_specs(f);
	fputs("_unbrick_profiles() {\n"
	      "\tunbrick profiles 2>/dev/null | awk 'NR > 1 { print $1 }'\n"
	      "}\n", f);
	fputs(body, f);
}

static int run(int argc, char **argv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int c;

	while ((c = cli_getopt(&cli_cmd_completion, argc, argv)) != -1)
		return c == 'h' ? 0 : UB_EXIT_USAGE;
	if (optind + 1 != argc)
		return cli_usage_error("completion", "name the shell: unbrick completion bash");
	if (strcmp(argv[optind], "bash") != 0)
		return cli_usage_error("completion", "no completion for '%s' (there is one for bash)",
				       argv[optind]);
	if (!cli_out.json) {
		script(stdout);
		return 0;
	}
	if (!(f = open_memstream(&text, &len)))
		return cli_usage_error("completion", "out of memory");
	script(f);
	fclose(f);
	cli_json_emit(json_pack("{s:b, s:s, s:s}", "ok", 1, "shell", "bash", "script", text));
	free(text);
	return 0;
}
