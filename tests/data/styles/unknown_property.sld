<?xml version="1.0" encoding="UTF-8"?>
<!-- A rule filter on a property the layer does not have: refused at start-up. -->
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer>
    <Name>communes</Name>
    <UserStyle>
      <FeatureTypeStyle>
        <Rule>
          <Name>big</Name>
          <ogc:Filter><ogc:PropertyIsGreaterThan><ogc:PropertyName>population</ogc:PropertyName><ogc:Literal>1000</ogc:Literal></ogc:PropertyIsGreaterThan></ogc:Filter>
          <PolygonSymbolizer/>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
