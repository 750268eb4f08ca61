#!/bin/sh
# Shell completion (contrib/completion/): every command of `k1fw --help`,
# every subcommand, and every option each --help prints is offered, as read
# by this test's own parser (help_words.sh), in bash and in zsh (through
# bashcompinit, as contrib/completion/_k1fw runs it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/help_words.sh"
COMP="$TOP/contrib/completion/k1fw.bash"

# complete SHELL WORD...: what SHELL's completion offers for the command line
# WORD... (the last word is the one being completed), one word per line.
complete_bash() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_k1fw_complete; printf "%s\n" "${COMPREPLY[@]}"' sh "$COMP" "$K1FW" "$@" | sort -u
}
complete_zsh() {
	# compdef stubbed: compinit is slow, and the registration is checked once below
	zsh -c 'compdef() { :; }; autoload -U +X bashcompinit && bashcompinit
		. "$1"; shift
		t() { emulate -L sh; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			_k1fw_complete; printf "%s\n" "${COMPREPLY[@]}"; }
		t "$@"' zsh "$COMP" "$K1FW" "$@" | sort -u
}

# offers SHELL DESC WANT WORD...: every word of WANT is offered.
offers() {
	sh=$1 desc=$2 want=$3; shift 3
	got=$(complete_$sh "$@")
	missing=""
	for w in $want; do
		printf '%s\n' "$got" | grep -qxF -- "$w" || missing="$missing $w"
	done
	if [ -n "$want" ] && [ -z "$missing" ]; then ok "$sh: $desc"; else
		not_ok "$sh: $desc: not offered:$missing (offered: $(echo $got))"; fi
}

commands=$(help_commands)
shells=bash
if command -v zsh >/dev/null; then
	shells="bash zsh"
	zsh -n "$TOP/contrib/completion/_k1fw" && ok "zsh: _k1fw parses" || not_ok "zsh: _k1fw parses"
	# _k1fw's first call sources the bash file, which registers itself
	got=$(zsh -c 'autoload -U compinit && compinit -D -u; autoload -U +X bashcompinit && bashcompinit
		. "$1"; print -r -- "$_comps[k1fw]"' zsh "$COMP" 2>&1)
	[ "$got" = "_bash_complete -o default -F _k1fw_complete" ] &&
		ok "zsh: the bash completion registers k1fw with compsys" ||
		not_ok "zsh: k1fw's compsys entry is '$got'"
else
	skip "zsh is not installed (scripts/install-deps.sh installs it)"
fi

for sh in $shells; do
	offers "$sh" "k1fw <TAB>: every command, help, --help, --version" \
		"$commands help --help --version" ""
	offers "$sh" "k1fw help <TAB>: every command" "$commands" help ""
	for c in $commands; do
		"$K1FW" "$c" --help >"$T/help" 2>&1
		subs=$(help_subcommands "$c" <"$T/help")
		if [ -n "$subs" ]; then
			offers "$sh" "k1fw $c <TAB>: its subcommands" "$subs" "$c" ""
			for s in $subs; do
				offers "$sh" "k1fw $c $s -<TAB>: every option of its --help" \
					"$("$K1FW" "$c" "$s" --help 2>&1 | help_options) --help" "$c" "$s" -
			done
		else
			offers "$sh" "k1fw $c -<TAB>: every option of its --help" \
				"$(help_options <"$T/help") --help" "$c" -
		fi
	done
	# option values and verbs, from the help texts
	offers "$sh" "k1fw bootinfo --media <TAB>" "emmc sd spinor spinand" bootinfo --media ""
	offers "$sh" "k1fw doctor --boot-select <TAB>" "tf-emmc tf-nand tf-nor tf" doctor --boot-select ""
	offers "$sh" "k1fw emulate --boot-select <TAB> (usage wrapped mid-list)" \
		"tf-emmc tf-nand tf-nor tf" emulate --boot-select ""
	offers "$sh" "k1fw flash -s <TAB>" "usb tcp:" flash -s ""
	verbs=$("$K1FW" fastboot --help | sed -n '/^usage:/,/^  -/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
	offers "$sh" "k1fw fastboot <TAB>: its verbs ($(echo $verbs))" "$verbs" fastboot ""
	offers "$sh" "k1fw fastboot -s usb <TAB>: the verbs after an option's argument" "getvar" \
		fastboot -s usb ""
	got=$(complete_$sh fastboot getvar "")
	[ -z "$got" ] && ok "$sh: k1fw fastboot getvar <TAB>: no verb after the verb" ||
		not_ok "$sh: k1fw fastboot getvar <TAB> offered: $(echo $got)"
	got=$(complete_$sh env -o "")
	[ -z "$got" ] && ok "$sh: k1fw env -o <TAB>: left to file name completion" ||
		not_ok "$sh: k1fw env -o <TAB> offered: $(echo $got)"
done
done_testing
