// BenchShell: the terminal, and only the terminal.
//
// Shell         one dispatch path for interactive, batch, -c and replay
// LineEditor/   libedit at a terminal, plain reads otherwise
// Commands/     the registry: each command a declaration (typed OptionKey/ArgumentKey options) whose
//               run parses, calls a planner or manager of another target, and prints
// Completion/   Tab completion from the same declarations
// Script/       the tokenizer, the session recorder (*.bench) and replay
