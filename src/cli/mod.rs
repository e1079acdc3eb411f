//! ipvsadm's command line: the option table, parsing, the command/option rules,
//! and running a parsed command.
