# tool shell integration for zsh: source it from ~/.zshrc
#   . ~/.local/share/tool/tool.zsh
# Puts $ASDF_DATA_DIR/shims (default ~/.asdf/shims) first on PATH, once, and
# loads command completion.
typeset -gU path
path=("${ASDF_DATA_DIR:-$HOME/.asdf}/shims" ${path:#${ASDF_DATA_DIR:-$HOME/.asdf}/shims})
export PATH
if (( $+commands[tool] )); then
  autoload -Uz compinit && { (( $+functions[compdef] )) || compinit }
  eval "$(tool completion zsh)"
fi
