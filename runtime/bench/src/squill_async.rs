//! squill's generated async functions on a `squill::Client` (statements prepared once per
//! connection and cached by the runtime).

use crate::db::{associations, copy, users};
use crate::env::{Target, tokio_client};
use crate::model::{Loaded, NewUser, group};
use crate::spread;

pub struct Impl {
    pub client: squill::Client,
}

impl Impl {
    pub async fn connect(target: &Target) -> Self {
        Self {
            client: squill::Client::new(tokio_client(target).await),
        }
    }

    pub async fn all_users(&mut self) -> Vec<users::AllUsersRow> {
        users::all_users(&self.client).await.unwrap()
    }

    pub async fn get_user(&mut self, id: i32) -> users::GetUserRow {
        users::get_user(&self.client, id).await.unwrap()
    }

    pub async fn users_with_posts(&mut self, hair_color: &str) -> Vec<users::UsersWithPostsRow> {
        users::users_with_posts(&self.client, hair_color)
            .await
            .unwrap()
    }

    pub async fn insert(&mut self, rows: &[NewUser]) -> u64 {
        match rows.len() {
            1 => spread::insert_users1(&self.client, rows).await,
            10 => spread::insert_users10(&self.client, rows).await,
            100 => spread::insert_users100(&self.client, rows).await,
            n => panic!("no insert query for {n} rows"),
        }
        .unwrap()
    }

    pub async fn insert_unnest(&mut self, names: &[&str], hair_colors: &[&str]) -> u64 {
        users::insert_users_unnest(&self.client, names, hair_colors)
            .await
            .unwrap()
    }

    pub async fn associations(
        &mut self,
    ) -> Loaded<users::AllUsersRow, associations::PostsByUsersRow, associations::CommentsByPostsRow>
    {
        let all = users::all_users(&self.client).await.unwrap();
        let user_ids: Vec<i32> = all.iter().map(|u| u.id).collect();
        let posts = associations::posts_by_users(&self.client, &user_ids)
            .await
            .unwrap();
        let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
        let comments = associations::comments_by_posts(&self.client, &post_ids)
            .await
            .unwrap();
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

    pub async fn bulk_insert(&mut self, rows: &[NewUser]) -> u64 {
        let tx = self.client.transaction().await.unwrap();
        let mut n = 0;
        for chunk in rows.chunks(100) {
            n += spread::insert_users100(&tx, chunk).await.unwrap();
        }
        tx.commit().await.unwrap();
        n
    }

    /// The generated `:copyfrom` (one binary COPY).
    pub async fn bulk_copy(&mut self, rows: &[copy::ImportUsersParams<'_>]) -> u64 {
        copy::import_users(&self.client, rows).await.unwrap()
    }
}
