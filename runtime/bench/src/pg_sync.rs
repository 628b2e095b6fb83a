//! The blocking floor: hand-written `postgres`, statements prepared once and held, rows
//! decoded by column index. Same SQL text as squill's generated queries. Runs on the
//! connection of squill's blocking implementation (see `tokio_pg` for why).

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, Row, Statement};

use crate::db;
use crate::model::{Comment, Loaded, NewUser, Post, User, group};
use crate::tokio_pg::{COPY_USERS, comment, insert_params, post, user, user_with_post};

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

/// `Client::query` (what a `postgres` user writes): the whole result in one trip through the
/// driver's runtime, then decoded. (`query_raw`'s `RowIter` re-enters the runtime per row and is
/// ~2.5× slower on 10 000 rows.)
fn many<T>(
    client: &mut Client,
    statement: &Statement,
    params: &[&(dyn ToSql + Sync)],
    decode: impl Fn(&Row) -> T,
) -> Vec<T> {
    client
        .query(statement, params)
        .unwrap()
        .iter()
        .map(decode)
        .collect()
}

impl Impl {
    /// Prepares the statements on `client`.
    pub fn prepare(client: &mut Client) -> Self {
        let mut p = |sql: &str| client.prepare(sql).expect("prepare");
        Self {
            all_users: p(db::users::ALL_USERS.sql),
            get_user: p(db::users::GET_USER.sql),
            users_with_posts: p(db::users::USERS_WITH_POSTS.sql),
            insert_1: p(db::inserts::INSERT_USERS1.sql),
            insert_10: p(db::inserts::INSERT_USERS10.sql),
            insert_100: p(db::inserts::INSERT_USERS100.sql),
            insert_unnest: p(db::users::INSERT_USERS_UNNEST.sql),
            posts_by_users: p(db::associations::POSTS_BY_USERS.sql),
            comments_by_posts: p(db::associations::COMMENTS_BY_POSTS.sql),
        }
    }

    pub fn all_users(&self, c: &mut Client) -> Vec<User> {
        many(c, &self.all_users, &[], user)
    }

    pub fn get_user(&self, c: &mut Client, id: i32) -> User {
        user(&c.query_one(&self.get_user, &[&id]).unwrap())
    }

    pub fn users_with_posts(
        &self,
        c: &mut Client,
        hair_color: &str,
    ) -> Vec<crate::model::UserWithPost> {
        many(c, &self.users_with_posts, &[&hair_color], user_with_post)
    }

    pub fn insert(&self, c: &mut Client, rows: &[NewUser]) -> u64 {
        let statement = match rows.len() {
            1 => &self.insert_1,
            10 => &self.insert_10,
            100 => &self.insert_100,
            n => panic!("no insert statement for {n} rows"),
        };
        c.execute(statement, &insert_params(rows)).unwrap()
    }

    pub fn insert_unnest(&self, c: &mut Client, names: &[&str], hair_colors: &[&str]) -> u64 {
        c.execute(&self.insert_unnest, &[&names, &hair_colors])
            .unwrap()
    }

    pub fn associations(&self, c: &mut Client) -> Loaded<User, Post, Comment> {
        let users = many(c, &self.all_users, &[], user);
        let user_ids: Vec<i32> = users.iter().map(|u| u.id).collect();
        let posts = many(c, &self.posts_by_users, &[&user_ids], post);
        let post_ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
        let comments = many(c, &self.comments_by_posts, &[&post_ids], comment);
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

    pub fn bulk_insert(&self, c: &mut Client, rows: &[NewUser]) -> u64 {
        let mut tx = c.transaction().unwrap();
        let mut n = 0;
        for chunk in rows.chunks(100) {
            n += tx.execute(&self.insert_100, &insert_params(chunk)).unwrap();
        }
        tx.commit().unwrap();
        n
    }

    pub fn bulk_copy(&self, c: &mut Client, rows: &[NewUser]) -> u64 {
        let sink = c.copy_in(COPY_USERS).unwrap();
        let mut writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT]);
        for row in rows {
            writer.write(&[&row.name, &row.hair_color]).unwrap();
        }
        writer.finish().unwrap()
    }
}
