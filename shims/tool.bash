# tool shell integration for bash: source it from ~/.bashrc
#   . ~/.local/share/tool/tool.bash
# Puts $ASDF_DATA_DIR/shims (default ~/.asdf/shims) first on PATH, once, and
# loads command completion.
__tool_shims="${ASDF_DATA_DIR:-$HOME/.asdf}/shims"
__tool_path=":${PATH}:"
__tool_path="${__tool_path//:${__tool_shims}:/:}"
__tool_path="${__tool_path#:}"
PATH="${__tool_shims}:${__tool_path%:}"
export PATH
unset __tool_shims __tool_path
if command -v tool >/dev/null 2>&1; then
  eval "$(tool completion bash)"
fi
