# tool shell integration for fish: source it from ~/.config/fish/config.fish
#   source ~/.local/share/tool/tool.fish
# Puts $ASDF_DATA_DIR/shims (default ~/.asdf/shims) first on PATH, once, and
# loads command completion.
set -l __tool_shims (if set -q ASDF_DATA_DIR; echo "$ASDF_DATA_DIR/shims"; else; echo "$HOME/.asdf/shims"; end)
set -gx PATH $__tool_shims (string match -v -- $__tool_shims $PATH)
if command -q tool
    tool completion fish | source
end
