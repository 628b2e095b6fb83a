//! sqlx 0.8: `query_as` with `#[derive(FromRow)]` (checked at run time, no offline macros) on a
//! `PgConnection`, whose statement cache prepares each SQL text once. Same SQL as squill.

use sqlx::{Connection, PgConnection};

use crate::db;
use crate::env::Target;
use crate::model::{Loaded, NewUser, group};

#[derive(Debug, sqlx::FromRow)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct UserWithPost {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
    pub post_id: Option<i32>,
    pub user_id: Option<i32>,
    pub title: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

pub struct Impl {
    pub conn: PgConnection,
}

fn insert_sql(n: usize) -> &'static str {
    match n {
        1 => db::inserts::INSERT_USERS1.sql,
        10 => db::inserts::INSERT_USERS10.sql,
        100 => db::inserts::INSERT_USERS100.sql,
        _ => panic!("no insert statement for {n} rows"),
    }
}

impl Impl {
    pub async fn connect(target: &Target) -> Self {
        Self {
            conn: PgConnection::connect_with(&target.sqlx_options())
                .await
                .expect("connect (sqlx)"),
        }
    }

    pub async fn all_users(&mut self) -> Vec<User> {
        sqlx::query_as::<_, User>(db::users::ALL_USERS.sql)
            .fetch_all(&mut self.conn)
            .await
            .unwrap()
    }

    pub async fn get_user(&mut self, id: i32) -> User {
        sqlx::query_as::<_, User>(db::users::GET_USER.sql)
            .bind(id)
            .fetch_one(&mut self.conn)
            .await
            .unwrap()
    }

    pub async fn users_with_posts(&mut self, hair_color: &str) -> Vec<UserWithPost> {
        sqlx::query_as::<_, UserWithPost>(db::users::USERS_WITH_POSTS.sql)
            .bind(hair_color)
            .fetch_all(&mut self.conn)
            .await
            .unwrap()
    }

    pub async fn insert(&mut self, rows: &[NewUser]) -> u64 {
        let mut query = sqlx::query(insert_sql(rows.len()));
        for row in rows {
            query = query.bind(&row.name).bind(&row.hair_color);
        }
        query.execute(&mut self.conn).await.unwrap().rows_affected()
    }

    pub async fn insert_unnest(&mut self, names: &[&str], hair_colors: &[&str]) -> u64 {
        sqlx::query(db::users::INSERT_USERS_UNNEST.sql)
            .bind(names)
            .bind(hair_colors)
            .execute(&mut self.conn)
            .await
            .unwrap()
            .rows_affected()
    }

    pub async fn associations(&mut self) -> Loaded<User, Post, Comment> {
        let users = self.all_users().await;
        let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
        let posts = sqlx::query_as::<_, Post>(db::associations::POSTS_BY_USERS.sql)
            .bind(&user_ids)
            .fetch_all(&mut self.conn)
            .await
            .unwrap();
        let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
        let comments = sqlx::query_as::<_, Comment>(db::associations::COMMENTS_BY_POSTS.sql)
            .bind(&post_ids)
            .fetch_all(&mut self.conn)
            .await
            .unwrap();
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

    pub async fn bulk_insert(&mut self, rows: &[NewUser]) -> u64 {
        let mut tx = self.conn.begin().await.unwrap();
        let mut n = 0;
        for chunk in rows.chunks(100) {
            let mut query = sqlx::query(insert_sql(100));
            for row in chunk {
                query = query.bind(&row.name).bind(&row.hair_color);
            }
            n += query.execute(&mut *tx).await.unwrap().rows_affected();
        }
        tx.commit().await.unwrap();
        n
    }
}
