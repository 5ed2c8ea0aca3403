pub mod pg;
pub mod schema;
