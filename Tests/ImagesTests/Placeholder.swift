import Images
