pub mod db {
    squill::include_generated!();
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config: tokio_postgres::Config = std::env::var("DATABASE_URL")?.parse()?;
    // Applies schema/ (embedded at build time), each file once, under an advisory lock.
    squill::migrate::Migrator::new(db::MIGRATIONS)
        .run(&config)
        .await?;

    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let client = squill::Client::new(client); // caches one prepared statement per query

    let id = db::users::create_user(&client, "a@example.com", Some("Ada")).await?; // i64
    if let Some(user) = db::users::get_user_by_email(&client, "a@example.com").await? {
        println!("{id} {} {:?}", user.email, user.display_name); // String, Option<String>
    }
    Ok(())
}
