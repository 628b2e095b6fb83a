//! The async floor: hand-written tokio-postgres, statements prepared once and held, rows
//! decoded by column index. Same SQL text as squill's generated queries.
//!
//! It runs on the very connection squill's async implementation uses (a `squill::Client`
//! derefs to its `tokio_postgres::Client`), so the two are compared on the same server backend
//! process: on a 2-core machine where that backend runs decides a round trip's latency more
//! than any client library does.

use futures_util::{TryStreamExt, pin_mut};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row, Statement};

use crate::db;
use crate::model::{Comment, Loaded, NewUser, Post, User, UserWithPost, group};

pub struct Impl {
    all_users: Statement,
    get_user: Statement,
    users_with_posts: Statement,
    insert_1: Statement,
    insert_10: Statement,
    insert_100: Statement,
    insert_unnest: Statement,
    posts_by_users: Statement,
    comments_by_posts: Statement,
}

pub fn user(row: &Row) -> User {
    User {
        id: row.get(0),
        name: row.get(1),
        hair_color: row.get(2),
    }
}

pub fn user_with_post(row: &Row) -> UserWithPost {
    UserWithPost {
        id: row.get(0),
        name: row.get(1),
        hair_color: row.get(2),
        post_id: row.get(3),
        user_id: row.get(4),
        title: row.get(5),
        body: row.get(6),
    }
}

pub fn post(row: &Row) -> Post {
    Post {
        id: row.get(0),
        user_id: row.get(1),
        title: row.get(2),
        body: row.get(3),
    }
}

pub fn comment(row: &Row) -> Comment {
    Comment {
        id: row.get(0),
        post_id: row.get(1),
        text: row.get(2),
    }
}

/// The parameters of a multi-row insert, two per row.
pub fn insert_params(rows: &[NewUser]) -> Vec<&(dyn ToSql + Sync)> {
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(rows.len() * 2);
    for row in rows {
        params.push(&row.name);
        params.push(&row.hair_color);
    }
    params
}

/// The COPY statement squill generates for `ImportUsers :copyfrom` (same text).
pub const COPY_USERS: &str = db::copy::IMPORT_USERS.sql;

impl Impl {
    /// Prepares the statements on `client`.
    pub async fn prepare(client: &Client) -> Self {
        let p = |sql: &'static str| async move { client.prepare(sql).await.expect("prepare") };
        Self {
            all_users: p(db::users::ALL_USERS.sql).await,
            get_user: p(db::users::GET_USER.sql).await,
            users_with_posts: p(db::users::USERS_WITH_POSTS.sql).await,
            insert_1: p(db::inserts::INSERT_USERS1.sql).await,
            insert_10: p(db::inserts::INSERT_USERS10.sql).await,
            insert_100: p(db::inserts::INSERT_USERS100.sql).await,
            insert_unnest: p(db::users::INSERT_USERS_UNNEST.sql).await,
            posts_by_users: p(db::associations::POSTS_BY_USERS.sql).await,
            comments_by_posts: p(db::associations::COMMENTS_BY_POSTS.sql).await,
        }
    }

    async fn many<T>(
        client: &Client,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
        decode: impl Fn(&Row) -> T,
    ) -> Vec<T> {
        let stream = client
            .query_raw(statement, params.iter().copied())
            .await
            .unwrap();
        pin_mut!(stream);
        let mut out = Vec::new();
        while let Some(row) = stream.try_next().await.unwrap() {
            out.push(decode(&row));
        }
        out
    }

    pub async fn all_users(&self, c: &Client) -> Vec<User> {
        Self::many(c, &self.all_users, &[], user).await
    }

    pub async fn get_user(&self, c: &Client, id: i32) -> User {
        user(&c.query_one(&self.get_user, &[&id]).await.unwrap())
    }

    pub async fn users_with_posts(&self, c: &Client, hair_color: &str) -> Vec<UserWithPost> {
        Self::many(c, &self.users_with_posts, &[&hair_color], user_with_post).await
    }

    fn insert_statement(&self, n: usize) -> &Statement {
        match n {
            1 => &self.insert_1,
            10 => &self.insert_10,
            100 => &self.insert_100,
            _ => panic!("no insert statement for {n} rows"),
        }
    }

    pub async fn insert(&self, c: &Client, rows: &[NewUser]) -> u64 {
        let statement = self.insert_statement(rows.len());
        c.execute(statement, &insert_params(rows)).await.unwrap()
    }

    pub async fn insert_unnest(&self, c: &Client, names: &[&str], hair_colors: &[&str]) -> u64 {
        c.execute(&self.insert_unnest, &[&names, &hair_colors])
            .await
            .unwrap()
    }

    pub async fn associations(&self, c: &Client) -> Loaded<User, Post, Comment> {
        let users = Self::many(c, &self.all_users, &[], user).await;
        let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
        let posts = Self::many(c, &self.posts_by_users, &[&user_ids], post).await;
        let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
        let comments = Self::many(c, &self.comments_by_posts, &[&post_ids], comment).await;
        group(
            users,
            posts,
            comments,
            |u| u.id,
            |p| p.id,
            |p| p.user_id,
            |c| c.post_id,
        )
    }

    /// Multi-row inserts of 100 rows in one transaction.
    pub async fn bulk_insert(&self, c: &Client, rows: &[NewUser]) -> u64 {
        // What `tokio_postgres::Transaction` sends; done by hand because the connection is
        // shared with squill's `Client`, which hands out only `&tokio_postgres::Client`.
        c.batch_execute("BEGIN").await.unwrap();
        let mut n = 0;
        for chunk in rows.chunks(100) {
            n += c
                .execute(&self.insert_100, &insert_params(chunk))
                .await
                .unwrap();
        }
        c.batch_execute("COMMIT").await.unwrap();
        n
    }

    /// One binary COPY.
    pub async fn bulk_copy(&self, c: &Client, rows: &[NewUser]) -> u64 {
        let sink = c.copy_in(COPY_USERS).await.unwrap();
        let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT]);
        pin_mut!(writer);
        for row in rows {
            writer
                .as_mut()
                .write(&[&row.name, &row.hair_color])
                .await
                .unwrap();
        }
        writer.finish().await.unwrap()
    }
}
