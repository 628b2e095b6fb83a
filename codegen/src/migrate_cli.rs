//! `squill migrate` subcommands.
