# bash completion for k1fw.
#
# Commands, subcommands, options and option values are read from k1fw's own
# --help when TAB is pressed, so they are always those of the k1fw being
# completed (the installed one, or ./build/k1fw): nothing here needs editing
# when a command or an option is added. What is read (README, "Man pages
# and completion"): the commands listed under "commands:" in `k1fw --help`;
# in `k1fw CMD --help`, every -x/--long token in the usage block (up to the
# first blank line) and on lines that start with "-"; subcommands from usage
# lines "k1fw CMD SUB ..."; the verbs of a command whose usage ends in
# COMMAND (fastboot) from its indented "  verb ..." lines; the values of
# "--opt a|b|c" in the usage.

# _k1fw_help_parse WHAT < help text: options | subcommands CMD | verbs |
# values OPT | takes-arg OPT (prints "y" when OPT is followed by an argument).
_k1fw_help_parse()
{
	awk -v what="$1" -v arg="${2-}" '
	function opt(w) { return w ~ /^--?[A-Za-z][A-Za-z0-9-]*/ }
	function clean(w) { sub(/^[[(|,]+/, "", w); sub(/[^A-Za-z0-9-].*$/, "", w); return w }
	/^usage:/ { inusage = 1 }
	inusage && /^[ \t]*$/ { inusage = 0; done_usage = 1 }
	{ line = $0; gsub(/`[^`]*`/, "", line) }
	inusage { usage = usage " " line }
	inusage || line ~ /^[ \t]*-/ { scan = scan " " line }
	!inusage && done_usage && !seen_opt && line ~ /^  [a-z][a-z-]*( |$)/ {
		split(line, v, " "); verbs = verbs " " v[1]
	}
	line ~ /^[ \t]*-/ { seen_opt = 1 }
	END {
		gsub(/\| +/, "|", usage); gsub(/\| +/, "|", scan)
		if (what == "options") {
			n = split(scan, w, /[ \t]+/)
			for (i = 1; i <= n; i++) {
				t = w[i]; sub(/^[[(|,]+/, "", t)
				if (opt(t)) print clean(t)
			}
		} else if (what == "subcommands") {
			n = split(usage, w, /[ \t]+/)
			for (i = 1; i < n; i++)
				if (w[i] == "k1fw" && w[i + 1] == arg && w[i + 2] ~ /^[a-z][a-z-]*$/)
					print w[i + 2]
		} else if (what == "verbs") {
			if (usage ~ /COMMAND/) print verbs
		} else {
			n = split(scan, w, /[ \t]+/)
			for (i = 1; i < n; i++) {
				t = w[i]; sub(/^[[(|,]+/, "", t)
				if (!opt(t) || clean(t) != arg) continue
				a = w[i + 1]
				if (what == "takes-arg" && a !~ /^[[(]?-/ && a ~ /[A-Z]|^\[[A-Z]|\|/) { print "y"; exit }
				if (what == "values" && a ~ /\|/) {
					gsub(/[][()]/, "", a); gsub(/\|/, " ", a); print a; exit
				}
			}
		}
	}' | sort -u
}

_k1fw_help()
{ # the --help text of "$@" (k1fw, then the command words)
	"$@" --help 2>/dev/null
}

_k1fw_complete()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local k1fw=${COMP_WORDS[0]} words i w
	COMPREPLY=()
	# The commands, from the list in `k1fw --help`.
	local cmds
	cmds=$(_k1fw_help "$k1fw" | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$cmds help --help --version" -- "$cur"))
		return 0
	fi
	local cmd=${COMP_WORDS[1]}
	if [ "$cmd" = help ]; then
		[ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		return 0
	fi
	case " $(echo $cmds) " in *" $cmd "*) ;; *) return 0 ;; esac

	local help sub subs
	help=$(_k1fw_help "$k1fw" "$cmd")
	subs=$(printf '%s\n' "$help" | _k1fw_help_parse subcommands "$cmd")
	if [ -n "$subs" ]; then
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$subs --help" -- "$cur"))
			return 0
		fi
		sub=${COMP_WORDS[2]}
		help=$(_k1fw_help "$k1fw" "$cmd" "$sub")
	fi

	# The value of the option before the cursor.
	case $prev in
	-s | --serial)
		words="usb tcp:"
		case $help in *udp:*) words="$words udp:" ;; esac
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return 0
		;;
	-*)
		words=$(printf '%s\n' "$help" | _k1fw_help_parse values "$prev")
		if [ -n "$words" ]; then
			COMPREPLY=($(compgen -W "$words" -- "$cur"))
			return 0
		fi
		# any other option argument: a file name (complete -o default)
		[ -n "$(printf '%s\n' "$help" | _k1fw_help_parse takes-arg "$prev")" ] && return 0
		;;
	esac

	if [ "${cur#-}" != "$cur" ]; then
		words=$(printf '%s\n' "$help" | _k1fw_help_parse options)
		COMPREPLY=($(compgen -W "$words --help" -- "$cur"))
		return 0
	fi

	# A command that takes a verb (fastboot getvar ...): the first word
	# that is neither an option nor an option's argument.
	words=$(printf '%s\n' "$help" | _k1fw_help_parse verbs)
	if [ -n "$words" ]; then
		i=2
		while [ "$i" -lt "$COMP_CWORD" ]; do
			w=${COMP_WORDS[i]}
			case $w in
			-*) [ -n "$(printf '%s\n' "$help" | _k1fw_help_parse takes-arg "$w")" ] &&
				i=$((i + 1)) ;;
			*) return 0 ;; # a verb is already there: its arguments are files
			esac
			i=$((i + 1))
		done
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	fi
	return 0
}

complete -o default -F _k1fw_complete k1fw
