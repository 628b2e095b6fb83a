//! `squill lint`: dangerous-migration rules.
