//! `insert_users{1,10,100}(client, &rows)`: calls of the generated `InsertUsers{N}` with each
//! row's name and hair colour spread into the query's 2×N borrowed arguments (written by
//! build.rs). No runtime cost beyond passing the references.

use crate::model::NewUser;

include!(concat!(env!("OUT_DIR"), "/spread.rs"));
