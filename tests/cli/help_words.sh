# What a k1fw --help text names, read the way the man-page and completion
# tests need it (sourced after lib.sh). This is the test's own reading, kept
# apart from the completion's parser (contrib/completion/k1fw.bash) so that
# each checks the other.
#   options:     every -x / --long token in the usage block (from "usage:"
#                to the first blank line) and on lines that start with "-",
#                outside `backquotes` (quoted commands of other tools)
#   subcommands: SUB of the usage lines "k1fw CMD SUB ..." (k1fw fit uboot)

# help_commands: the commands listed under "commands:" in `k1fw --help`.
help_commands() {
	"$K1FW" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p'
}

# help_options < HELP: one option per line, sorted.
help_options() {
	_h=$(cat)
	{
		printf '%s\n' "$_h" | sed -n '/^usage:/,/^[[:space:]]*$/p'
		printf '%s\n' "$_h" | grep -E '^[[:space:]]*-'
	} | sed 's/`[^`]*`//g' | grep -oE '(^|[][ (|,])--?[A-Za-z][A-Za-z0-9-]*' |
		sed 's/^[][ (|,]*//' | sort -u
}

# help_subcommands CMD < HELP: one subcommand per line, sorted.
help_subcommands() {
	sed -n '/^usage:/,/^[[:space:]]*$/p' | grep -oE "k1fw $1 [a-z][a-z0-9-]*( |\$)" |
		awk '{ print $3 }' | sort -u
}
