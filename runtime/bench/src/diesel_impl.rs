//! diesel 2 (blocking, libpq): the query builder, `Queryable` structs, `belonging_to` /
//! `grouped_by` for associations, batch `insert_into(..).values(&[..])` and `copy_from`.

use diesel::prelude::*;
use diesel::{Connection, PgConnection};

use crate::env::Target;
use crate::model::NewUser;

pub mod schema {
    diesel::table! {
        users (id) {
            id -> Int4,
            name -> Text,
            hair_color -> Nullable<Text>,
        }
    }

    diesel::table! {
        posts (id) {
            id -> Int4,
            user_id -> Int4,
            title -> Text,
            body -> Nullable<Text>,
        }
    }

    diesel::table! {
        comments (id) {
            id -> Int4,
            post_id -> Int4,
            text -> Text,
        }
    }

    diesel::joinable!(comments -> posts (post_id));
    diesel::joinable!(posts -> users (user_id));
    diesel::allow_tables_to_appear_in_same_query!(users, posts, comments);
}

use schema::{comments, posts, users};

#[derive(Debug, Clone, PartialEq, Queryable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Identifiable, Associations)]
#[diesel(table_name = posts, belongs_to(User))]
pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Identifiable, Associations)]
#[diesel(table_name = comments, belongs_to(Post))]
pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

// `treat_none_as_default_value = false`: a `None` hair colour is NULL (COPY has no DEFAULT).
#[derive(Debug, Clone, Copy, Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUserRef<'a> {
    pub name: &'a str,
    pub hair_color: Option<&'a str>,
}

/// diesel's insertable view of the rows (built once, outside the timed part).
pub fn rows(rows: &[NewUser]) -> Vec<NewUserRef<'_>> {
    rows.iter()
        .map(|r| NewUserRef {
            name: &r.name,
            hair_color: r.hair_color.as_deref(),
        })
        .collect()
}

pub type Tree = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

pub struct Impl {
    pub conn: PgConnection,
}

impl Impl {
    pub fn connect(target: &Target) -> Self {
        Self {
            conn: PgConnection::establish(&target.libpq()).expect("connect (diesel)"),
        }
    }

    pub fn all_users(&mut self) -> Vec<User> {
        users::table.load::<User>(&mut self.conn).unwrap()
    }

    pub fn get_user(&mut self, id: i32) -> User {
        users::table.find(id).first::<User>(&mut self.conn).unwrap()
    }

    pub fn users_with_posts(&mut self, hair_color: &str) -> Vec<(User, Option<Post>)> {
        users::table
            .left_outer_join(posts::table)
            .filter(users::hair_color.eq(hair_color))
            .load::<(User, Option<Post>)>(&mut self.conn)
            .unwrap()
    }

    pub fn insert(&mut self, rows: &[NewUserRef<'_>]) -> u64 {
        diesel::insert_into(users::table)
            .values(rows)
            .execute(&mut self.conn)
            .unwrap() as u64
    }

    pub fn associations(&mut self) -> Tree {
        let users = users::table.load::<User>(&mut self.conn).unwrap();
        let posts = Post::belonging_to(&users)
            .load::<Post>(&mut self.conn)
            .unwrap();
        let comments = Comment::belonging_to(&posts)
            .load::<Comment>(&mut self.conn)
            .unwrap()
            .grouped_by(&posts);
        let posts_and_comments = posts.into_iter().zip(comments).grouped_by(&users);
        users.into_iter().zip(posts_and_comments).collect()
    }

    pub fn bulk_insert(&mut self, rows: &[NewUserRef<'_>]) -> u64 {
        self.conn
            .transaction::<_, diesel::result::Error, _>(|conn| {
                let mut n = 0;
                for chunk in rows.chunks(100) {
                    n += diesel::insert_into(users::table)
                        .values(chunk)
                        .execute(conn)? as u64;
                }
                Ok(n)
            })
            .unwrap()
    }

    pub fn bulk_copy(&mut self, rows: &[NewUserRef<'_>]) -> u64 {
        diesel::copy_from(users::table)
            .from_insertable(rows)
            .execute(&mut self.conn)
            .unwrap() as u64
    }
}
