//! Test data, written through the admin connection before each scenario (never timed).

pub fn truncate(admin: &mut postgres::Client) {
    admin
        .batch_execute("TRUNCATE users, posts, comments RESTART IDENTITY")
        .expect("truncate");
}

/// `n` users named "User {i}"; with `colored`, even ones have black hair and odd ones brown
/// (diesel's medium complex data), else no hair colour (its trivial data).
pub fn users(admin: &mut postgres::Client, n: usize, colored: bool) {
    truncate(admin);
    let color = if colored {
        "CASE WHEN g % 2 = 0 THEN 'black' ELSE 'brown' END"
    } else {
        "NULL"
    };
    admin
        .execute(
            &format!(
                "INSERT INTO users (name, hair_color) \
                 SELECT 'User ' || g, {color} FROM generate_series(0, $1 - 1) AS g"
            ),
            &[&(n as i32)],
        )
        .expect("seed users");
    analyze(admin);
}

/// 100 users with 10 posts each with 10 comments each (diesel's association data).
pub fn associations(admin: &mut postgres::Client) {
    users(admin, 100, true);
    admin
        .batch_execute(
            "INSERT INTO posts (user_id, title, body) \
               SELECT u.id, 'Post ' || i || ' by user ' || u.id, NULL \
               FROM users u, generate_series(0, 9) AS i ORDER BY u.id, i; \
             INSERT INTO comments (post_id, text) \
               SELECT p.id, 'Comment ' || i || ' on post ' || p.id \
               FROM posts p, generate_series(0, 9) AS i ORDER BY p.id, i;",
        )
        .expect("seed associations");
    analyze(admin);
}

pub fn analyze(admin: &mut postgres::Client) {
    admin
        .batch_execute("VACUUM ANALYZE users, posts, comments")
        .expect("analyze");
}
