<?xml version="1.0" encoding="UTF-8"?>
<!-- SLD 1.0.0 raster styles: a DEM ramp with labelled entries, and classes as intervals. -->
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer>
    <Name>mnt</Name>
    <UserStyle>
      <Name>relief</Name>
      <Title>Elevation</Title>
      <FeatureTypeStyle>
        <Rule>
          <RasterSymbolizer>
            <Opacity>0.8</Opacity>
            <ChannelSelection>
              <GrayChannel>
                <SourceChannelName>1</SourceChannelName>
              </GrayChannel>
            </ChannelSelection>
            <OverlapBehavior>
              <LATEST_ON_TOP/>
            </OverlapBehavior>
            <ColorMap>
              <ColorMapEntry color="#000000" quantity="-9999" opacity="0" label="no data"/>
              <ColorMapEntry color="#2b83ba" quantity="0" label="0 m"/>
              <ColorMapEntry color="#ffffbf" quantity="100" label="100 m"/>
              <ColorMapEntry color="#d7191c" quantity="300" label="300 m"/>
            </ColorMap>
          </RasterSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
    <UserStyle>
      <Name>classes</Name>
      <FeatureTypeStyle>
        <Rule>
          <RasterSymbolizer>
            <ColorMap type="intervals" extended="true">
              <ColorMapEntry color="#008000" quantity="150" label="low"/>
              <ColorMapEntry color="#663333" quantity="256" label="high"/>
            </ColorMap>
          </RasterSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
