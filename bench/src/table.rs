//! The printed table: one row per figure, with its target's verdict.

#[derive(Default)]
pub struct Table(Vec<[String; 3]>);

impl Table {
    pub fn row(&mut self, what: &str, value: String, target: &str) {
        self.0.push([what.to_string(), value, target.to_string()]);
    }

    pub fn print(&self) {
        let w0 = self.0.iter().map(|r| r[0].len()).max().unwrap_or(0);
        let w1 = self.0.iter().map(|r| r[1].len()).max().unwrap_or(0);
        println!();
        for r in &self.0 {
            println!("{:<w0$}  {:>w1$}  {}", r[0], r[1], r[2]);
        }
    }
}

pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}
