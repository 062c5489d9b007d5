<?xml version="1.0" encoding="UTF-8"?>
<!-- Communes as a thin dashed outline only, for overlays on imagery (SLD 1.0). -->
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer>
    <Name>communes</Name>
    <UserStyle>
      <Name>communes_contour</Name>
      <Title>Contours des communes</Title>
      <FeatureTypeStyle>
        <Rule>
          <Name>contour</Name>
          <Title>Contour</Title>
          <LineSymbolizer>
            <Stroke>
              <CssParameter name="stroke">#d7191c</CssParameter>
              <CssParameter name="stroke-width">1.5</CssParameter>
              <CssParameter name="stroke-dasharray">6 3</CssParameter>
            </Stroke>
          </LineSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
