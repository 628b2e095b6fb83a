//! The hand-written row types (the floor's), the rows inserted, and the association grouping
//! shared by every implementation that has no grouping of its own.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

/// A row of the medium complex query: a user and the columns of one of its posts, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct UserWithPost {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
    pub post_id: Option<i32>,
    pub user_id: Option<i32>,
    pub title: Option<String>,
    pub body: Option<String>,
}

/// A user to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub name: String,
    pub hair_color: Option<String>,
}

/// `n` users to insert, as diesel's insert benchmark makes them ("User {i}", "hair_color").
pub fn new_users(n: usize) -> Vec<NewUser> {
    (0..n)
        .map(|i| NewUser {
            name: format!("User {i}"),
            hair_color: Some("hair_color".to_owned()),
        })
        .collect()
}

/// The same users as two parallel arrays (for `unnest`).
pub fn new_user_columns(rows: &[NewUser]) -> (Vec<&str>, Vec<&str>) {
    rows.iter()
        .map(|r| (r.name.as_str(), r.hair_color.as_deref().unwrap_or("")))
        .unzip()
}

/// The rows as parameter sets of the generated `:copyfrom` query (built once, untimed).
pub fn import_params(rows: &[NewUser]) -> Vec<crate::db::copy::ImportUsersParams<'_>> {
    rows.iter()
        .map(|r| crate::db::copy::ImportUsersParams {
            name: &r.name,
            hair_color: r.hair_color.as_deref(),
        })
        .collect()
}

/// Users with their posts with their comments.
pub type Loaded<U, P, C> = Vec<(U, Vec<(P, Vec<C>)>)>;

/// Groups posts under their users and comments under their posts, keeping the order of each
/// list (what diesel's `grouped_by` does).
pub fn group<U, P, C>(
    users: Vec<U>,
    posts: Vec<P>,
    comments: Vec<C>,
    user_id: impl Fn(&U) -> i32,
    post_id: impl Fn(&P) -> i32,
    post_user_id: impl Fn(&P) -> i32,
    comment_post_id: impl Fn(&C) -> i32,
) -> Loaded<U, P, C> {
    let post_index: HashMap<i32, usize> = posts
        .iter()
        .enumerate()
        .map(|(i, p)| (post_id(p), i))
        .collect();
    let mut comments_of: Vec<Vec<C>> = (0..posts.len()).map(|_| Vec::new()).collect();
    for comment in comments {
        comments_of[post_index[&comment_post_id(&comment)]].push(comment);
    }
    let user_index: HashMap<i32, usize> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (user_id(u), i))
        .collect();
    let mut posts_of: Vec<Vec<(P, Vec<C>)>> = (0..users.len()).map(|_| Vec::new()).collect();
    for (post, comments) in posts.into_iter().zip(comments_of) {
        posts_of[user_index[&post_user_id(&post)]].push((post, comments));
    }
    users.into_iter().zip(posts_of).collect()
}

/// Number of users, posts and comments in a loaded tree (to check every implementation did
/// the same work).
pub fn tree_size<U, P, C>(tree: &Loaded<U, P, C>) -> (usize, usize, usize) {
    let posts = tree.iter().map(|(_, p)| p.len()).sum();
    let comments = tree
        .iter()
        .flat_map(|(_, p)| p.iter().map(|(_, c)| c.len()))
        .sum();
    (tree.len(), posts, comments)
}
