pub mod db {
    squill::include_generated!();
}
