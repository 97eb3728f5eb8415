/*
 * `mixcompose completion bash|zsh|fish|powershell`: the shell's script.
 * Every script asks `mixcompose __complete` (cli/complete.c), which reads
 * the option tables, so the scripts never list a command or a flag.
 */
#include "cli/cli.h"

#include <string.h>

static const char bash_script[] =
	"# bash completion for mixcompose (mixcompose completion bash)\n"
	"_mixcompose() {\n"
	"\tlocal i w words=() cur out\n"
	"\t# Join what COMP_WORDBREAKS split at '=' (--format=json).\n"
	"\tfor ((i = 1; i <= COMP_CWORD; i++)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif [[ ${#words[@]} -gt 0 && ( $w == = || "
	"${words[-1]} == *= ) ]]; then\n"
	"\t\t\twords[-1]+=$w\n"
	"\t\telse\n"
	"\t\t\twords+=(\"$w\")\n"
	"\t\tfi\n"
	"\tdone\n"
	"\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	"\t[[ $cur == = ]] && cur=\n"
	"\tout=$(\"${COMP_WORDS[0]}\" __complete \"${words[@]}\" "
	"2>/dev/null) || return\n"
	"\tcase $out in\n"
	"\t:file) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	"\t:dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
	"\tesac\n"
	"\tlocal IFS=$'\\n'\n"
	"\tif [[ ${words[-1]} == --*=* ]]; then\n"
	"\t\tout=$(printf '%s\\n' $out | sed 's/^[^=]*=//')\n"
	"\tfi\n"
	"\tCOMPREPLY=($(compgen -W \"$out\" -- \"$cur\"))\n"
	"}\n"
	"complete -o default -F _mixcompose mixcompose\n";

static const char zsh_script[] =
	"#compdef mixcompose\n"
	"# zsh completion for mixcompose (mixcompose completion zsh)\n"
	"_mixcompose() {\n"
	"\tlocal -a cands\n"
	"\tcands=(\"${(@f)$(${words[1]} __complete "
	"\"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
	"\tcase ${cands[1]} in\n"
	"\t:file) _files ;;\n"
	"\t:dir) _files -/ ;;\n"
	"\t*) compadd -Q -- ${cands:#} ;;\n"
	"\tesac\n"
	"}\n"
	"if [[ $funcstack[1] == _mixcompose ]]; then\n"
	"\t_mixcompose \"$@\"\n"
	"else\n"
	"\tcompdef _mixcompose mixcompose\n"
	"fi\n";

static const char fish_script[] =
	"# fish completion for mixcompose (mixcompose completion fish)\n"
	"function __mixcompose_complete\n"
	"\tset -l words (commandline -opc)\n"
	"\tset -l out ($words[1] __complete $words[2..-1] "
	"(commandline -ct) 2>/dev/null)\n"
	"\tswitch \"$out[1]\"\n"
	"\t\tcase :file\n"
	"\t\t\t__fish_complete_path (commandline -ct)\n"
	"\t\tcase :dir\n"
	"\t\t\t__fish_complete_directories (commandline -ct)\n"
	"\t\tcase '*'\n"
	"\t\t\tprintf '%s\\n' $out\n"
	"\tend\n"
	"end\n"
	"complete -c mixcompose -f -a '(__mixcompose_complete)'\n";

static const char powershell_script[] =
	"# PowerShell completion for mixcompose "
	"(mixcompose completion powershell)\n"
	"Register-ArgumentCompleter -Native -CommandName mixcompose "
	"-ScriptBlock {\n"
	"    param($wordToComplete, $commandAst, $cursorPosition)\n"
	"    $words = @($commandAst.CommandElements | Select-Object -Skip 1 |\n"
	"        ForEach-Object { $_.ToString() })\n"
	"    if ($wordToComplete -eq '') { $words += '' }\n"
	"    $out = @(& mixcompose __complete @words 2>$null)\n"
	"    if ($out.Count -eq 1 -and ($out[0] -eq ':file' -or "
	"$out[0] -eq ':dir')) {\n"
	"        return\n"
	"    }\n"
	"    $out | ForEach-Object {\n"
	"        [System.Management.Automation.CompletionResult]::new(\n"
	"            $_, $_, 'ParameterValue', $_)\n"
	"    }\n"
	"}\n";

static const struct {
	const char *shell;
	const char *script;
} scripts[] = {
	{"bash", bash_script},
	{"zsh", zsh_script},
	{"fish", fish_script},
	{"powershell", powershell_script},
};

static const struct cli_opt completion_opts_v[] = {CLI_OPT_END};

const struct cli_spec cli_spec_completion = {
	.name = "completion",
	.args = "bash|zsh|fish|powershell",
	.summary = "print a shell's completion script",
	.desc = "Print the completion script of a shell.  For the running "
		"bash:\n"
		"  source <(mixcompose completion bash)\n"
		"The Debian package installs the bash, zsh and fish scripts.",
	.opts = completion_opts_v,
	.min_args = 1,
	.max_args = 1,
	.flags = CLI_SPEC_HIDDEN,
};

int cmd_completion(int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_completion, NULL, argc, argv, &n);

	if (rc)
		return rc == CLI_HELP ? CLI_OK : rc;
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		if (!strcmp(argv[1], scripts[i].shell)) {
			fputs(scripts[i].script, stdout);
			return CLI_OK;
		}
	cli_errorf("completion: '%s' is not bash, zsh, fish or powershell",
		   argv[1]);
	return CLI_USAGE;
}
