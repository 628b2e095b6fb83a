//! squill's generated blocking functions on a `squill::blocking::Client`.

use crate::db::associations::{self, blocking as assoc};
use crate::db::copy;
use crate::db::users::{self, blocking as u};
use crate::env::Target;
use crate::model::{Loaded, NewUser, group};
use crate::spread::blocking as spread;

pub struct Impl {
    pub client: squill::blocking::Client,
}

impl Impl {
    pub fn connect(target: &Target) -> Self {
        let client = target
            .sync_config()
            .connect(postgres::NoTls)
            .expect("connect (postgres)");
        Self {
            client: squill::blocking::Client::new(client),
        }
    }

    pub fn all_users(&mut self) -> Vec<users::AllUsersRow> {
        u::all_users(&mut self.client).unwrap()
    }

    pub fn get_user(&mut self, id: i32) -> users::GetUserRow {
        u::get_user(&mut self.client, id).unwrap()
    }

    pub fn users_with_posts(&mut self, hair_color: &str) -> Vec<users::UsersWithPostsRow> {
        u::users_with_posts(&mut self.client, hair_color).unwrap()
    }

    pub fn insert(&mut self, rows: &[NewUser]) -> u64 {
        match rows.len() {
            1 => spread::insert_users1(&mut self.client, rows),
            10 => spread::insert_users10(&mut self.client, rows),
            100 => spread::insert_users100(&mut self.client, rows),
            n => panic!("no insert query for {n} rows"),
        }
        .unwrap()
    }

    pub fn insert_unnest(&mut self, names: &[&str], hair_colors: &[&str]) -> u64 {
        u::insert_users_unnest(&mut self.client, names, hair_colors).unwrap()
    }

    pub fn associations(
        &mut self,
    ) -> Loaded<users::AllUsersRow, associations::PostsByUsersRow, associations::CommentsByPostsRow>
    {
        let all = u::all_users(&mut self.client).unwrap();
        let user_ids: Vec<i32> = all.iter().map(|u| u.id).collect();
        let posts = assoc::posts_by_users(&mut self.client, &user_ids).unwrap();
        let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
        let comments = assoc::comments_by_posts(&mut self.client, &post_ids).unwrap();
        group(
            all,
            posts,
            comments,
            |u| u.id,
            |p| p.id,
            |p| p.user_id,
            |c| c.post_id,
        )
    }

    pub fn bulk_insert(&mut self, rows: &[NewUser]) -> u64 {
        let mut tx = self.client.transaction().unwrap();
        let mut n = 0;
        for chunk in rows.chunks(100) {
            n += spread::insert_users100(&mut tx, chunk).unwrap();
        }
        tx.commit().unwrap();
        n
    }

    /// The generated `:copyfrom` (one binary COPY).
    pub fn bulk_copy(&mut self, rows: &[copy::ImportUsersParams<'_>]) -> u64 {
        copy::blocking::import_users(&mut self.client, rows).unwrap()
    }
}
