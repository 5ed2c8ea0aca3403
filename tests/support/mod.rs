pub mod examples;
pub mod fakeio;
pub mod pg;
pub mod schema;
