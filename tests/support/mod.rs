pub mod examples;
pub mod pg;
pub mod schema;
