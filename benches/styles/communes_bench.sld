<?xml version="1.0" encoding="UTF-8"?>
<!-- Communes styled as the shared kit's mapfile: dark grey 1.2 px outlines, no fill. SLD 1.0. -->
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer>
    <Name>communes</Name>
    <UserStyle>
      <Name>bench</Name>
      <FeatureTypeStyle>
        <Rule>
          <Name>outline</Name>
          <LineSymbolizer>
            <Stroke><CssParameter name="stroke">#3c3c3c</CssParameter><CssParameter name="stroke-width">1.2</CssParameter></Stroke>
          </LineSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
