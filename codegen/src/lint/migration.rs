//! What runs from a migration file is read by the runner's own reader
//! (`squill::migrate::runnable_text`), so the lint checks exactly what will be deployed.

pub(crate) use squill::migrate::runnable_text as read;
