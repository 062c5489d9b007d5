//! Bounding boxes as query parameters give them (`minx,miny,maxx,maxy`, optionally with z).

/// An axis-aligned box in the order the coordinates were given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bbox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BboxError {
    #[error("expected 4 or 6 comma-separated numbers, got {0}")]
    Count(usize),
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("the lower corner must not be above or right of the upper corner")]
    Inverted,
}

impl Bbox {
    /// Parses `minx,miny,maxx,maxy` or `minx,miny,minz,maxx,maxy,maxz` (the vertical extent is
    /// dropped: no source here has a third dimension to filter on).
    pub fn parse(text: &str) -> Result<Bbox, BboxError> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let numbers = parts
            .iter()
            .map(|p| match p.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(BboxError::NotANumber((*p).to_string())),
            })
            .collect::<Result<Vec<f64>, _>>();
        let v = match parts.len() {
            4 | 6 => numbers?,
            n => return Err(BboxError::Count(n)),
        };
        let (min_x, min_y, max_x, max_y) = if v.len() == 4 { (v[0], v[1], v[2], v[3]) } else { (v[0], v[1], v[3], v[4]) };
        if min_x > max_x || min_y > max_y {
            return Err(BboxError::Inverted);
        }
        Ok(Bbox { min_x, min_y, max_x, max_y })
    }

    /// The same box with x and y exchanged, for CRSs whose authority order is latitude first.
    pub fn swapped(&self) -> Bbox {
        Bbox { min_x: self.min_y, min_y: self.min_x, max_x: self.max_y, max_y: self.max_x }
    }

    pub fn union(&self, other: &Bbox) -> Bbox {
        Bbox {
            min_x: self.min_x.min(other.min_x),
            min_y: self.min_y.min(other.min_y),
            max_x: self.max_x.max(other.max_x),
            max_y: self.max_y.max(other.max_y),
        }
    }

    /// The common part of two boxes, `None` when they only touch or are apart.
    pub fn intersection(&self, other: &Bbox) -> Option<Bbox> {
        let b = Bbox {
            min_x: self.min_x.max(other.min_x),
            min_y: self.min_y.max(other.min_y),
            max_x: self.max_x.min(other.max_x),
            max_y: self.max_y.min(other.max_y),
        };
        (b.min_x < b.max_x && b.min_y < b.max_y).then_some(b)
    }

    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }

    pub fn to_array(&self) -> [f64; 4] {
        [self.min_x, self.min_y, self.max_x, self.max_y]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_four_and_six() {
        assert_eq!(Bbox::parse("1,2,3,4").unwrap().to_array(), [1., 2., 3., 4.]);
        assert_eq!(Bbox::parse("1, 2, 0, 3, 4, 10").unwrap().to_array(), [1., 2., 3., 4.]);
    }

    #[test]
    fn rejects_bad() {
        assert_eq!(Bbox::parse("1,2,3"), Err(BboxError::Count(3)));
        assert_eq!(Bbox::parse("a,b,c,d"), Err(BboxError::NotANumber("a".into())));
        assert_eq!(Bbox::parse("1,2,NaN,4"), Err(BboxError::NotANumber("NaN".into())));
        assert_eq!(Bbox::parse("3,2,1,4"), Err(BboxError::Inverted));
        assert_eq!(Bbox::parse(""), Err(BboxError::Count(1)));
    }

    #[test]
    fn swaps_axes() {
        let b = Bbox::parse("49,2,50,3").unwrap().swapped();
        assert_eq!(b.to_array(), [2., 49., 3., 50.]);
    }
}
